package dev.imprint.mqtt;

import java.util.concurrent.ConcurrentHashMap;

/**
 * CONNECT attempts per client ID: a token bucket of {@code perMinute} tokens refilled evenly,
 * so a device stuck in a reconnect loop cannot make the hub validate its chain thousands of
 * times a second. The map is bounded: past {@code maxTracked} IDs, idle buckets are dropped.
 */
final class ClientIdRateLimiter {
    private final int perMinute;
    private final int maxTracked;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    ClientIdRateLimiter(int perMinute, int maxTracked) {
        this.perMinute = perMinute;
        this.maxTracked = maxTracked;
    }

    /** @return true when this attempt is within the rate */
    boolean tryAcquire(String clientId, long nowNanos) {
        if (buckets.size() > maxTracked) {
            long idle = nowNanos - 60_000_000_000L;
            buckets.values().removeIf(b -> b.updated < idle);
        }
        Bucket b = buckets.computeIfAbsent(clientId, k -> new Bucket(perMinute, nowNanos));
        synchronized (b) {
            double refill = (nowNanos - b.updated) / 60e9 * perMinute;
            b.tokens = Math.min(perMinute, b.tokens + refill);
            b.updated = nowNanos;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return true;
            }
            return false;
        }
    }

    private static final class Bucket {
        double tokens;
        long updated;

        Bucket(double tokens, long updated) {
            this.tokens = tokens;
            this.updated = updated;
        }
    }
}
