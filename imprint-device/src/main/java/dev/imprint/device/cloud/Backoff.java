package dev.imprint.device.cloud;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential back-off with full jitter between {@code min} and {@code max}. */
record Backoff(Duration min, Duration max) {

    /** The wait before attempt {@code n} (0 first): uniform in [min, min(max, min * 2^n)]. */
    Duration next(int n) {
        long lo = min.toMillis();
        long cap = Math.min(max.toMillis(), lo << Math.min(n, 16));
        return Duration.ofMillis(lo + ThreadLocalRandom.current().nextLong(Math.max(1, cap - lo + 1)));
    }
}
