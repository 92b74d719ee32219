package dev.imprint.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imprint.server.up.Endpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kafka.*: unset means no Kafka at all; set, it is validated and listed in endpoints.json. */
class KafkaConfigTest {
    @TempDir
    Path dir;

    @Test
    void no_kafka_unless_bootstrap_is_set_and_endpoints_then_leave_it_out() throws Exception {
        ImprintConfig c = ConfigLoader.load(dir, Map.of());
        assertThat(c.kafka()).isNull();
        new Endpoints("p", "e", "a", "c", "t").withKafka(c.kafka()).write(dir);
        assertThat(Files.readString(dir.resolve(Endpoints.FILE))).doesNotContain("kafka");
    }

    @Test
    void yaml_and_env_set_kafka_with_defaults_and_endpoints_list_it() throws Exception {
        Files.writeString(dir.resolve("imprint.yaml"), "kafka:\n  bootstrap: 127.0.2.1:9092\n  eventsTopic: fleet.events\n");
        ImprintConfig.Kafka k = ConfigLoader.load(dir, Map.of("IMPRINT_KAFKA_ACK_TIMEOUT_SECONDS", "5")).kafka();
        assertThat(k).isEqualTo(new ImprintConfig.Kafka("127.0.2.1:9092", "imprint.telemetry", "fleet.events", Duration.ofSeconds(5), 10_000,
                "imprint.node.", "imprint.doorbells"));
        assertThat(ConfigLoader.load(dir, Map.of("IMPRINT_KAFKA_BOOTSTRAP", "k1:9092,k2:9092")).kafka().bootstrap()).isEqualTo("k1:9092,k2:9092");
        new Endpoints("p", "e", "a", "c", "t").withKafka(k).write(dir);
        Endpoints back = Endpoints.read(dir);
        assertThat(back.kafka()).containsEntry("bootstrap", "127.0.2.1:9092").containsEntry("telemetryTopic", "imprint.telemetry")
                .containsEntry("eventsTopic", "fleet.events");
    }

    @Test
    void bad_bootstrap_topic_and_timeout_are_problems_each_named() {
        assertThatThrownBy(() -> ConfigLoader.load(dir, Map.of("IMPRINT_KAFKA_BOOTSTRAP", "kafka-without-port",
                "IMPRINT_KAFKA_TELEMETRY_TOPIC", "bad topic", "IMPRINT_KAFKA_ACK_TIMEOUT_SECONDS", "1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.bootstrap (env IMPRINT_KAFKA_BOOTSTRAP)")
                .hasMessageContaining("kafka.telemetryTopic (env IMPRINT_KAFKA_TELEMETRY_TOPIC)")
                .hasMessageContaining("kafka.ackTimeoutSeconds (env IMPRINT_KAFKA_ACK_TIMEOUT_SECONDS)");
    }
}
