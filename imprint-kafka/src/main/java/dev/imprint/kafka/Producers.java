package dev.imprint.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The producer Imprint writes with: at least once, in order per partition, no duplicates from its own retries. */
final class Producers {
    private static final int LINGER_MS = 5;
    /**
     * Bytes of one partition's batch (the default is 16 KiB, ~80 telemetry records): larger
     * batches mean fewer produce requests, wake-ups of the sender thread and per-batch metric
     * updates per message, for the hub and the broker (measured: hub QoS 0 -30%, the broker's
     * CPU per message -30% and more). No added wait: a batch goes when its linger is over, full
     * or not. Memory: one such buffer per partition being filled, out of the producer's 32 MiB.
     */
    private static final int BATCH_BYTES = 64 * 1024;

    private Producers() {}

    /**
     * Idempotent, {@code acks=all}; a record not acknowledged within the ack timeout fails (and
     * {@code send} blocks at most that long on a full buffer), so a broker outage shows as
     * withheld acknowledgements first and as failures only past the bound.
     */
    static KafkaProducer<String, byte[]> open(KafkaSettings s, String clientId) {
        int timeout = (int) s.ackTimeout().toMillis();
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", s.bootstrap());
        p.put("client.id", clientId);
        p.put("acks", "all");
        p.put("enable.idempotence", true);
        // one request in flight: after a broker restart, several in flight can leave a partition retrying
        // OUT_OF_ORDER_SEQUENCE_NUMBER for good (seen here with 5 against a restarted single-node KRaft broker)
        p.put("max.in.flight.requests.per.connection", 1);
        p.put("linger.ms", LINGER_MS);
        p.put("batch.size", BATCH_BYTES);
        p.put("delivery.timeout.ms", timeout);
        // the producer requires delivery.timeout >= linger + request.timeout
        p.put("request.timeout.ms", Math.min(30_000, timeout - LINGER_MS - 1));
        p.put("max.block.ms", timeout);
        // back quickly after a broker restart: the devices' acknowledgements are waiting
        p.put("reconnect.backoff.max.ms", 1_000);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }
}
