package dev.imprint.mqtt;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CONNECT attempts per client ID: a token bucket of {@code perMinute} tokens refilled evenly,
 * so a device stuck in a reconnect loop cannot make the hub validate its chain thousands of
 * times a second. A bucket that has filled up again is the same as none, so such buckets are
 * dropped every {@link #PRUNE_EVERY_NANOS} (a fleet of idle sessions keeps none); past
 * {@code maxTracked} IDs, at once.
 */
final class ClientIdRateLimiter {
    static final long PRUNE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final int perMinute;
    private final int maxTracked;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    /** When the full buckets were last dropped; MIN_VALUE before the first attempt. */
    private final AtomicLong pruned = new AtomicLong(Long.MIN_VALUE);

    ClientIdRateLimiter(int perMinute, int maxTracked) {
        this.perMinute = perMinute;
        this.maxTracked = maxTracked;
    }

    /** @return true when this attempt is within the rate */
    boolean tryAcquire(String clientId, long nowNanos) {
        prune(nowNanos);
        boolean[] took = {false};
        // under the map's lock for this ID: a prune cannot drop a bucket between its read and its update
        buckets.compute(clientId, (k, b) -> {
            Bucket x = b == null ? new Bucket(perMinute, nowNanos) : b;
            x.tokens = x.tokensAt(nowNanos, perMinute);
            x.updated = nowNanos;
            if (x.tokens >= 1) {
                x.tokens -= 1;
                took[0] = true;
            }
            return x;
        });
        return took[0];
    }

    /** IDs with a bucket that has not filled up yet (or not been dropped since). */
    int tracked() {
        return buckets.size();
    }

    private void prune(long nowNanos) {
        long last = pruned.get();
        if (last == Long.MIN_VALUE) {
            pruned.compareAndSet(last, nowNanos);
            return;
        }
        boolean due = nowNanos - last >= PRUNE_EVERY_NANOS && pruned.compareAndSet(last, nowNanos);
        if (due || buckets.size() > maxTracked) {
            for (String k : buckets.keySet()) {
                buckets.computeIfPresent(k, (key, b) -> b.tokensAt(nowNanos, perMinute) >= perMinute ? null : b);
            }
        }
    }

    private static final class Bucket {
        double tokens;
        long updated;

        Bucket(double tokens, long updated) {
            this.tokens = tokens;
            this.updated = updated;
        }

        double tokensAt(long nowNanos, int perMinute) {
            return Math.min(perMinute, tokens + (nowNanos - updated) / 60e9 * perMinute);
        }
    }
}
