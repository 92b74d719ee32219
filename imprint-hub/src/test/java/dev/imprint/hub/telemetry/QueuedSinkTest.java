package dev.imprint.hub.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imprint.store.TelemetryRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hub-fed sinks without Kafka: a bounded queue drained into a writer; a failing writer's batch is dropped and counted. */
class QueuedSinkTest {
    @TempDir
    Path dir;

    private static TelemetryRecord message(int i) {
        return new TelemetryRecord(i, "dev-1", "hub-1", Instant.ofEpochMilli(1_000L * i), "{\"$.mid\":\"m" + i + "\"}",
                ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void json_lines_file_gets_every_message_as_one_line_and_is_closed_with_the_sink() throws IOException {
        Path file = dir.resolve("t").resolve("hub-1.jsonl");
        QueuedSink sink = QueuedSink.start("jsonl", new JsonLinesFileWriter(file), 100);
        for (int i = 0; i < 10; i++) {
            assertThat(sink.offer(message(i))).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file) && Files.readAllLines(file).size() == 10);
        sink.close();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(3)).contains("\"deviceId\":\"dev-1\"", "\"body\":{\"i\":3}", "\"$.mid\":\"m3\"");
        assertThat(sink.dropped()).isZero();
    }

    @Test
    void a_batch_the_writer_refuses_is_dropped_and_counted_never_retried() {
        QueuedSink sink = QueuedSink.start("refusing", batch -> {
            throw new IOException("webhook answered HTTP 503");
        }, 100);
        for (int i = 0; i < 5; i++) {
            sink.offer(message(i));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.dropped() == 5);
        sink.close();
    }
}
