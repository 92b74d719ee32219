package dev.imprint.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.kafka.broker.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The forked KRaft broker: starts, takes and keeps records across a restart, stops by PID. */
class KafkaBrokerIT {
    @TempDir
    Path dir;

    @Test
    void broker_keeps_records_across_a_restart_and_its_process_ends_on_stop() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(dir, "127.0.2.1", 0)) {
            long pid = broker.pid();
            assertThat(ProcessHandle.of(pid)).isPresent();
            try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrap(), "acks", "all"),
                    new StringSerializer(), new StringSerializer())) {
                p.send(new ProducerRecord<>("smoke", "k", "before")).get();
            }
            broker.restart();
            assertThat(broker.pid()).isNotEqualTo(pid);
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(read(broker.bootstrap(), "smoke", 1)).containsExactly("before");
            pid = broker.pid();
            broker.stop();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }
    }

    static List<String> read(String bootstrap, String topic, int n) {
        Properties c = new Properties();
        c.put("bootstrap.servers", bootstrap);
        c.put("group.id", "smoke-" + System.nanoTime());
        c.put("auto.offset.reset", "earliest");
        List<String> got = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (got.size() < n && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    got.add(r.value());
                }
            }
        }
        return got;
    }
}
