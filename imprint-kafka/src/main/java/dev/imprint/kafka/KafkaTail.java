package dev.imprint.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows a topic for {@code imprint telemetry --follow} and {@code imprint events --follow}:
 * every partition, from the end (or the beginning), without a consumer group (nothing is
 * committed; a reader never moves other consumers' offsets).
 */
public final class KafkaTail {
    /** One record: key = device ID, timestamp in epoch ms, headers as text. */
    public record Line(String deviceId, long timestamp, Map<String, String> headers, byte[] value) {}

    private KafkaTail() {}

    /**
     * Reads until {@code sink} returns false (or the thread is interrupted).
     *
     * @param device only this device's records; null for all
     * @throws org.apache.kafka.common.errors.TimeoutException when the topic's partitions cannot be read within 60 s
     */
    public static void follow(String bootstrap, String topic, String device, boolean fromBeginning, Predicate<Line> sink) {
        Map<String, Object> c = Map.of("bootstrap.servers", bootstrap, "client.id", "imprint-tail", "enable.auto.commit", false);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            if (fromBeginning) {
                consumer.seekToBeginning(parts);
            } else {
                consumer.seekToEnd(parts);
            }
            while (!Thread.currentThread().isInterrupted()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (device != null && !device.equals(r.key())) {
                        continue;
                    }
                    Map<String, String> h = new LinkedHashMap<>();
                    for (Header x : r.headers()) {
                        h.put(x.key(), new String(x.value(), StandardCharsets.UTF_8));
                    }
                    if (!sink.test(new Line(r.key(), r.timestamp(), h, r.value()))) {
                        return;
                    }
                }
            }
        }
    }
}
