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
public final class JsonLinesFileWriter implements TelemetryWriter {
    private final BufferedWriter out;

    /** @throws IOException when the file cannot be opened for appending */
    public JsonLinesFileWriter(Path file) throws IOException {
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Override
    public void write(List<TelemetryRecord> batch) throws IOException {
        for (TelemetryRecord r : batch) {
            out.write(JsonLines.toJson(r).toString());
            out.write('\n');
        }
        out.flush();
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException ignored) {
            // closing at shutdown; nothing left to do
        }
    }
}
