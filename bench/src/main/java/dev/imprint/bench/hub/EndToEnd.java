package dev.imprint.bench.hub;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The end-to-end latency rows: device publish to a consumer's read, p50 / p99 / max, from a paced
 * stream ({@link PacedStream}) to one reader per run (a Kafka consumer, the store, an MQTT
 * subscriber). Before the clock starts, probes go out until the reader has seen one, so a reader
 * that joins late (a Kafka group's first assignment) is not timed.
 */
final class EndToEnd {
    /** The readers' subscription: every device's telemetry topic. */
    static final String TOPIC_FILTER = "devices/+/messages/events/";
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final long READY_MILLIS = 60_000;

    /** Starts a reader handing each body it reads to the sink; closing it stops it. */
    interface Reader {
        AutoCloseable open(Consumer<byte[]> sink) throws Exception;
    }

    private EndToEnd() {}

    /**
     * One run: {@code rate} messages per second in total from {@code devices} for {@code seconds}
     * at {@code qos}, then up to 30 s (5 s without progress) for the reader to see them all.
     *
     * @param readerName what the row says the message was read by
     */
    static void latency(MqttLoadClient client, HubBench.Server s, List<HubBench.Device> devices, int qos, int rate, int seconds,
            String readerName, Reader reader, List<String> rows) throws Exception {
        int run = RUNS.incrementAndGet();
        Arrivals arrivals = new Arrivals(run);
        int sent;
        try (PacedStream stream = PacedStream.connect(client, s.address(), devices, qos); AutoCloseable r = reader.open(arrivals)) {
            long deadline = System.nanoTime() + READY_MILLIS * 1_000_000;
            do {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(readerName + " saw no probe within " + READY_MILLIS / 1000 + " s");
                }
                stream.probe();
            } while (!arrivals.awaitProbe(250));
            sent = stream.run(run, rate, seconds);
            arrivals.await(sent, 5_000, 30_000);
            if (r instanceof KafkaReader k) {
                // a follower ends at a record: one probe more lets it commit and leave its group instead of being interrupted
                k.stopAtNext();
                stream.probe();
            }
        }
        String row = String.format(Locale.ROOT, "%-12s latency QoS %d, publish -> %s: %s (%d of %d received, %d duplicates; %d clients, %d msgs/s for %d s; load %s)",
                s.name(), qos, readerName, arrivals.latencies().millis(), arrivals.distinct(), sent, arrivals.duplicates(),
                devices.size(), rate, seconds, HubBench.load());
        System.out.println(row);
        rows.add(row);
    }
}
