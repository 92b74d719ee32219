package dev.imprint.server.cli;

import dev.imprint.kafka.KafkaTail;
import dev.imprint.server.up.Endpoints;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/** {@code --follow}: prints a Kafka topic named in endpoints.json as records arrive, until interrupted. */
final class KafkaFollow {
    private KafkaFollow() {}

    /**
     * @param topicKey {@code telemetryTopic} or {@code eventsTopic}
     * @param group the consumer group: where a follower of that group stopped is where it goes on
     * @return the exit code: {@link ImprintCommand#USAGE} when this Imprint has no Kafka configured
     */
    static int run(Path dataDir, String topicKey, String group, String device, boolean fromBeginning, PrintWriter out, PrintWriter err) {
        Map<String, String> kafka;
        try {
            kafka = Endpoints.read(dataDir).kafka();
        } catch (IOException e) {
            err.println("no " + dataDir.resolve(Endpoints.FILE) + ": start Imprint first (" + e.getMessage() + ")");
            return ImprintCommand.UNREACHABLE;
        }
        if (kafka == null) {
            err.println("--follow reads Kafka, and this Imprint has none configured (set kafka.bootstrap, see docs/operations.md)");
            return ImprintCommand.USAGE;
        }
        KafkaTail.follow(kafka.get("bootstrap"), kafka.get(topicKey), group, device, fromBeginning, line -> {
            String body = new String(line.value(), StandardCharsets.UTF_8);
            out.printf("%s  %s  %s  %s%n", Instant.ofEpochMilli(line.timestamp()), line.deviceId(), line.headers(), body);
            out.flush();
            return true;
        });
        return ImprintCommand.OK;
    }
}
