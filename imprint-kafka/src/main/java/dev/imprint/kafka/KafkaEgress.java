package dev.imprint.kafka;

import dev.imprint.hub.telemetry.TelemetryLog;
import dev.imprint.hub.telemetry.TelemetryPipeline.NotStored;
import dev.imprint.store.TelemetryRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hub's telemetry on Kafka: the durable step in place of the SQL store. Key = device ID (one
 * partition per device, so order per device), value = the body as the device sent it, headers =
 * {@code imprint-hub}, {@code imprint-node}, {@code imprint-enqueued-time} (epoch ms), {@code
 * message-id}, {@code content-type}, {@code content-encoding} (the Azure {@code $.mid}, {@code
 * $.ct}, {@code $.ce}) and each of the device's application properties under its own name.
 * One producer per hub, closed with it.
 */
public final class KafkaEgress implements TelemetryLog {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaEgress.class);

    private final String topic;
    private final TelemetryHeaders headers;
    private final KafkaProducer<String, byte[]> producer;
    private final Counter acked;
    private final Counter unavailable;
    private final AtomicLong failed = new AtomicLong();

    public KafkaEgress(KafkaSettings settings, String hub, String node, MeterRegistry meters) {
        this.topic = settings.telemetryTopic();
        this.headers = new TelemetryHeaders(hub, node);
        this.producer = Producers.open(settings, "imprint-" + node + "-" + hub);
        this.acked = meters.counter("imprint.hub.kafka.acked", "hub", hub);
        this.unavailable = meters.counter("imprint.hub.kafka.failed", "hub", hub);
    }

    @Override
    public CompletableFuture<Void> append(TelemetryRecord r) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        append(r, done);
        return done;
    }

    /** The callback completes {@code done} itself: no future of its own, none at all for QoS 0 ({@code done} null). */
    @Override
    public void append(TelemetryRecord r, CompletableFuture<Void> done) {
        try {
            long ms = r.receivedAt().toEpochMilli();
            producer.send(new ProducerRecord<>(topic, null, ms, r.deviceId(), r.body(), headers.of(ms, r.properties(), r.deviceId())),
                    (meta, e) -> {
                        if (e == null) {
                            acked.increment();
                            if (done != null) {
                                done.complete(null);
                            }
                        } else {
                            NotStored why = failure(r, e);
                            if (done != null) {
                                done.completeExceptionally(why);
                            }
                        }
                    });
        } catch (RuntimeException e) {
            NotStored why = failure(r, e);
            if (done != null) {
                done.completeExceptionally(why);
            }
        }
    }

    private NotStored failure(TelemetryRecord r, Exception e) {
        unavailable.increment();
        failed.incrementAndGet();
        // retriable (timeouts, no leader) = the cluster is not there; anything else = it refused this record
        String reason = e instanceof RetriableException || e.getCause() instanceof RetriableException ? "KAFKA_UNAVAILABLE" : "KAFKA_REFUSED";
        LOG.warn("event=kafka.telemetry_failed reason={} device={} msg=\"{}\"", reason, r.deviceId(), e.toString());
        return new NotStored(reason, "Kafka did not take the message: " + e.getMessage());
    }

    /** Messages Kafka did not take (also in {@code imprint.hub.kafka.failed}). */
    @Override
    public long dropped() {
        return failed.get();
    }

    /** Waits up to 10 s for what is in flight, then closes the producer. */
    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
