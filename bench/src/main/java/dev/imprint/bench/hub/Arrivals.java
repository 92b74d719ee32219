package dev.imprint.bench.hub;

import java.util.Arrays;
import java.util.BitSet;
import java.util.function.Consumer;

/**
 * What one reader received of one latency run: each body of that run timed from its send stamp
 * to the moment the reader handed it over, counted once per sequence number (a repeat, which at
 * least once allows, is counted as a duplicate and not timed again). Probes are only counted;
 * bodies of other runs or of the throughput runs are ignored. Readers call it from their own
 * thread.
 */
final class Arrivals implements Consumer<byte[]> {
    private final int run;
    private final BitSet seen = new BitSet();
    private long[] latencies = new long[4096];
    private int distinct;
    private int duplicates;
    private int probes;

    Arrivals(int run) {
        if (run == LatencyPayload.PROBE_RUN) {
            throw new IllegalArgumentException("run 0 is the probes'");
        }
        this.run = run;
    }

    @Override
    public void accept(byte[] body) {
        long now = LatencyPayload.now();
        LatencyPayload.Stamp s = LatencyPayload.decode(body);
        if (s == null) {
            return;
        }
        synchronized (this) {
            if (s.run() == LatencyPayload.PROBE_RUN) {
                probes++;
            } else if (s.run() == run) {
                if (seen.get(s.seq())) {
                    duplicates++;
                } else {
                    seen.set(s.seq());
                    if (distinct == latencies.length) {
                        latencies = Arrays.copyOf(latencies, distinct * 2);
                    }
                    latencies[distinct++] = now - s.sentNanos();
                }
            }
            notifyAll();
        }
    }

    synchronized int probes() {
        return probes;
    }

    synchronized int distinct() {
        return distinct;
    }

    synchronized int duplicates() {
        return duplicates;
    }

    /**
     * Waits until {@code n} distinct messages of the run arrived, or nothing new arrived for
     * {@code idleMillis}, or {@code maxMillis} passed.
     *
     * @return whether all {@code n} arrived
     */
    synchronized boolean await(int n, long idleMillis, long maxMillis) throws InterruptedException {
        long end = System.nanoTime() + maxMillis * 1_000_000;
        long idleEnd = System.nanoTime() + idleMillis * 1_000_000;
        int last = distinct;
        while (distinct < n) {
            long now = System.nanoTime();
            if (distinct != last) {
                last = distinct;
                idleEnd = now + idleMillis * 1_000_000;
            }
            long left = Math.min(end, idleEnd) - now;
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /** Waits up to {@code millis} for a probe. */
    synchronized boolean awaitProbe(long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (probes == 0) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    synchronized Latencies latencies() {
        return Latencies.of(latencies, distinct);
    }
}
