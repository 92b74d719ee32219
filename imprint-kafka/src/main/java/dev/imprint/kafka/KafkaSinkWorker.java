package dev.imprint.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.hub.telemetry.TelemetrySink;
import dev.imprint.hub.telemetry.TelemetryWriter;
import dev.imprint.store.TelemetryRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hub's JSON-lines file or webhook as a consumer-group worker of the telemetry topic: it reads
 * that hub's records (header {@code imprint-hub}), hands each polled batch to its writer and
 * commits the group's offsets only after the writer succeeded. A failed batch is read and
 * written again (backing off up to 10 s), never dropped; a restart resumes at the committed
 * offsets, so at most the batch in hand is written twice. Devices never wait for it: the hub
 * acknowledges on Kafka's acknowledgement, and this worker reads at its own pace.
 *
 * <p>Among the hub's sinks it takes no offers (the records come from Kafka); closing the hub
 * stops it.
 */
public final class KafkaSinkWorker implements TelemetrySink {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaSinkWorker.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> OWN = Set.of("imprint-hub", "imprint-node", "imprint-enqueued-time");
    private static final long MAX_BACKOFF_MS = 10_000;

    private final KafkaConsumer<String, byte[]> consumer;
    private final String group;
    private final String hub;
    private final TelemetryWriter writer;
    private final Counter written;
    private final Counter failed;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final Thread thread;

    private KafkaSinkWorker(KafkaSettings settings, String group, String hub, TelemetryWriter writer, MeterRegistry meters) {
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", settings.bootstrap());
        c.put("group.id", group);
        c.put("client.id", group);
        c.put("enable.auto.commit", false);
        // a new group starts at the oldest record the topic keeps: a sink added later still gets what Kafka holds
        c.put("auto.offset.reset", "earliest");
        c.put("max.poll.records", 1_000);
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        this.consumer.subscribe(List.of(settings.telemetryTopic()));
        this.group = group;
        this.hub = hub;
        this.writer = writer;
        this.written = meters.counter("imprint.kafka.sink.written", "group", group);
        this.failed = meters.counter("imprint.kafka.sink.failed", "group", group);
        this.thread = new Thread(this::run, "imprint-kafka-sink-" + group);
        this.thread.setDaemon(true);
    }

    /**
     * Starts reading {@code hub}'s telemetry with consumer group {@code group} into {@code
     * writer} (closed with the worker).
     */
    public static KafkaSinkWorker start(KafkaSettings settings, String group, String hub, TelemetryWriter writer, MeterRegistry meters) {
        KafkaSinkWorker w = new KafkaSinkWorker(settings, group, hub, writer, meters);
        w.thread.start();
        return w;
    }

    private void run() {
        int failures = 0;
        try {
            while (stopping.getCount() > 0) {
                ConsumerRecords<String, byte[]> polled = ConsumerRecords.empty();
                int size = 0;
                try {
                    polled = consumer.poll(Duration.ofMillis(500));
                    if (polled.isEmpty()) {
                        continue;
                    }
                    List<TelemetryRecord> batch = ofHub(polled);
                    size = batch.size();
                    if (!batch.isEmpty()) {
                        writer.write(batch);
                    }
                    // fails when a rebalance took partitions away meanwhile: their new owner writes them again
                    consumer.commitSync(next(polled));
                    written.increment(size);
                    failures = 0;
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    failed.increment(size);
                    failures++;
                    LOG.warn("event=kafka.sink_failed reason=WRITE_FAILED group={} records={} attempt={} msg=\"{}\"", group, size, failures,
                            e.toString());
                    rewind(polled);
                    if (stopping.await(Math.min(MAX_BACKOFF_MS, 200L << Math.min(failures, 6)), TimeUnit.MILLISECONDS)) {
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private List<TelemetryRecord> ofHub(ConsumerRecords<String, byte[]> polled) {
        List<TelemetryRecord> out = new ArrayList<>(polled.count());
        for (ConsumerRecord<String, byte[]> r : polled) {
            Header h = r.headers().lastHeader("imprint-hub");
            if (h != null && hub.equals(new String(h.value(), StandardCharsets.UTF_8))) {
                out.add(new TelemetryRecord(r.offset(), r.key(), hub, Instant.ofEpochMilli(r.timestamp()), properties(r), r.value()));
            }
        }
        return out;
    }

    /** The device's properties as the hub had them: the system ones back under their Azure names ({@code $.mid}, ...). */
    private static String properties(ConsumerRecord<String, byte[]> r) {
        ObjectNode p = JSON.createObjectNode();
        for (Header h : r.headers()) {
            if (!OWN.contains(h.key())) {
                p.put(TelemetryHeaders.PROPERTY_OF_HEADER.getOrDefault(h.key(), h.key()), new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        return p.toString();
    }

    private static Map<TopicPartition, OffsetAndMetadata> next(ConsumerRecords<String, byte[]> polled) {
        Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>();
        for (TopicPartition tp : polled.partitions()) {
            List<ConsumerRecord<String, byte[]>> rs = polled.records(tp);
            m.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
        }
        return m;
    }

    /** Reads the batch again next poll, from the partitions this worker still owns. */
    private void rewind(ConsumerRecords<String, byte[]> polled) {
        Set<TopicPartition> owned = consumer.assignment();
        for (TopicPartition tp : polled.partitions()) {
            if (owned.contains(tp)) {
                consumer.seek(tp, polled.records(tp).get(0).offset());
            }
        }
    }

    /** Nothing to take: this sink's records come from Kafka. */
    @Override
    public boolean offer(TelemetryRecord record) {
        return true;
    }

    @Override
    public long dropped() {
        return 0;
    }

    /**
     * Stops after the batch in hand is written and committed (a poll ends within 500 ms; a
     * failing batch is left uncommitted, read again next time), then closes the writer.
     */
    @Override
    public void close() {
        stopping.countDown();
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.close();
    }
}
