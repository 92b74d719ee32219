package dev.imprint.hub.telemetry;

import dev.imprint.store.TelemetryRecord;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** Appends every message as one JSON line to a file (flushed per batch). */
public final class JsonLinesFileSink extends QueuedSink {
    private final BufferedWriter out;

    private JsonLinesFileSink(Path file, int capacity) throws IOException {
        super("jsonl", capacity);
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** @throws IOException when the file cannot be opened for appending */
    public static JsonLinesFileSink open(Path file, int capacity) throws IOException {
        JsonLinesFileSink s = new JsonLinesFileSink(file, capacity);
        s.start();
        return s;
    }

    @Override
    void write(List<TelemetryRecord> batch) throws IOException {
        for (TelemetryRecord r : batch) {
            out.write(JsonLines.toJson(r).toString());
            out.write('\n');
        }
        out.flush();
    }

    @Override
    public void close() {
        super.close();
        try {
            out.close();
        } catch (IOException ignored) {
            // closing at shutdown; nothing left to do
        }
    }
}
