package dev.imprint.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows a topic for {@code imprint telemetry --follow} and {@code imprint events --follow}
 * as a consumer group of its own: a new group starts at the end of the topic (or at the
 * beginning), a known one where it stopped. Offsets are committed after each polled batch the
 * sink took (and at the record where it stopped), so a follower killed between printing and
 * committing replays at most that batch.
 */
public final class KafkaTail {
    /** One record: key = device ID, timestamp in epoch ms, headers as text. */
    public record Line(String deviceId, long timestamp, Map<String, String> headers, byte[] value) {}

    private KafkaTail() {}

    /**
     * Reads until {@code sink} returns false (that record is committed too) or the thread is interrupted.
     *
     * @param group the consumer group whose offsets say where to go on
     * @param device only this device's records; null for all
     * @param fromBeginning start at the oldest record the topic keeps, whatever the group committed
     */
    public static void follow(String bootstrap, String topic, String group, String device, boolean fromBeginning, Predicate<Line> sink) {
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", bootstrap);
        c.put("group.id", group);
        c.put("client.id", group);
        c.put("enable.auto.commit", false);
        c.put("auto.offset.reset", "latest");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                private boolean rewound;

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> parts) {
                    if (fromBeginning && !rewound) {
                        consumer.seekToBeginning(parts);
                        rewound = true;
                    }
                }

                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> parts) {}
            });
            boolean more = true;
            while (more && !Thread.currentThread().isInterrupted()) {
                Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    more = device != null && !device.equals(r.key()) || sink.test(line(r));
                    done.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                    if (!more) {
                        break;
                    }
                }
                if (!done.isEmpty()) {
                    consumer.commitSync(done);
                }
            }
        }
    }

    private static Line line(ConsumerRecord<String, byte[]> r) {
        Map<String, String> h = new LinkedHashMap<>();
        for (Header x : r.headers()) {
            h.put(x.key(), new String(x.value(), StandardCharsets.UTF_8));
        }
        return new Line(r.key(), r.timestamp(), h, r.value());
    }
}
