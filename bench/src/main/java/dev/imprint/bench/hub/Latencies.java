package dev.imprint.bench.hub;

import java.util.Arrays;
import java.util.Locale;

/**
 * Percentiles of a run's latencies, nearest rank (the smallest value with at least p% of the
 * values at or below it: no interpolation, every figure one that was measured).
 */
record Latencies(int count, long p50Nanos, long p99Nanos, long maxNanos) {
    static final Latencies NONE = new Latencies(0, 0, 0, 0);

    /** @param nanos the first {@code n} values are the latencies (any order; not changed) */
    static Latencies of(long[] nanos, int n) {
        if (n == 0) {
            return NONE;
        }
        long[] sorted = Arrays.copyOf(nanos, n);
        Arrays.sort(sorted);
        return new Latencies(n, rank(sorted, 50), rank(sorted, 99), sorted[n - 1]);
    }

    static long rank(long[] sorted, double percent) {
        int r = (int) Math.ceil(percent / 100 * sorted.length);
        return sorted[Math.max(r, 1) - 1];
    }

    /** "p50 1.23 ms, p99 4.56 ms, max 7.89 ms". */
    String millis() {
        return String.format(Locale.ROOT, "p50 %.2f ms, p99 %.2f ms, max %.2f ms", p50Nanos / 1e6, p99Nanos / 1e6, maxNanos / 1e6);
    }
}
