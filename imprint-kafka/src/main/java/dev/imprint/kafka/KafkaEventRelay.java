package dev.imprint.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.store.DeviceEvent;
import dev.imprint.store.DeviceEvents;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the store's device event outbox to the events topic: oldest first, key = device ID,
 * value = a JSON object ({@code eventId}, {@code deviceId}, {@code type}, {@code at} in epoch ms,
 * and the type's fields), header {@code event-id}. A row is deleted only after Kafka
 * acknowledged it and every row before it, so each event is published at least once and in
 * outbox order; consumers deduplicate on {@code eventId}. Polls every 200 ms.
 */
public final class KafkaEventRelay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaEventRelay.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 500;

    private final DeviceEvents events;
    private final String topic;
    private final KafkaProducer<String, byte[]> producer;
    private final ScheduledExecutorService thread;

    private KafkaEventRelay(KafkaSettings settings, DeviceEvents events, String node) {
        this.events = events;
        this.topic = settings.eventsTopic();
        this.producer = Producers.open(settings, "imprint-" + node + "-events");
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "imprint-kafka-events");
            t.setDaemon(true);
            return t;
        });
    }

    /** Turns the outbox on for this process's writes and starts relaying it. */
    public static KafkaEventRelay start(KafkaSettings settings, DeviceEvents events, String node) {
        events.record(true);
        KafkaEventRelay r = new KafkaEventRelay(settings, events, node);
        r.thread.scheduleWithFixedDelay(r::relayQuietly, 0, 200, TimeUnit.MILLISECONDS);
        return r;
    }

    private void relayQuietly() {
        try {
            while (relay() == BATCH) {
                // a full batch: more may be waiting
            }
        } catch (RuntimeException e) {
            LOG.warn("event=kafka.events_failed reason=KAFKA_UNAVAILABLE msg=\"{}\"", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One batch; returns how many rows were published and removed. */
    int relay() throws InterruptedException {
        List<DeviceEvent> batch = events.pending(BATCH);
        List<Future<RecordMetadata>> sent = new ArrayList<>(batch.size());
        for (DeviceEvent e : batch) {
            RecordHeaders h = new RecordHeaders();
            h.add("event-id", e.eventId().getBytes(StandardCharsets.US_ASCII));
            h.add("event-type", e.type().getBytes(StandardCharsets.US_ASCII));
            sent.add(producer.send(new ProducerRecord<>(topic, null, e.at().toEpochMilli(), e.deviceId(), value(e), h)));
        }
        List<Long> done = new ArrayList<>(batch.size());
        for (int i = 0; i < sent.size(); i++) {
            try {
                sent.get(i).get();
                done.add(batch.get(i).id());
            } catch (ExecutionException x) {
                // keep order: nothing after the first failure is removed; it is all sent again next round
                LOG.warn("event=kafka.event_unsent reason=KAFKA_UNAVAILABLE event={} msg=\"{}\"", batch.get(i).eventId(), x.getCause().toString());
                break;
            }
        }
        events.published(done);
        return done.size();
    }

    private static byte[] value(DeviceEvent e) {
        try {
            ObjectNode v = JSON.createObjectNode().put("eventId", e.eventId()).put("deviceId", e.deviceId()).put("type", e.type())
                    .put("at", e.at().toEpochMilli());
            v.setAll((ObjectNode) JSON.readTree(e.detail()));
            return JSON.writeValueAsBytes(v);
        } catch (IOException x) {
            throw new IllegalStateException("event " + e.eventId() + " has no JSON detail", x);
        }
    }

    /** Stops relaying (what is left stays in the outbox for the next start) and closes the producer. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
