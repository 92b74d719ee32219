package dev.imprint.dps.registration;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets: one overall (registrations per second, burst of one second's worth) and one
 * per registration ID (registrations per minute, burst of that many). A limit of 0 turns that
 * bucket off. Polls are not counted here: they are cheap reads.
 */
public final class RateLimiter {
    private static final int MAX_TRACKED_DEVICES = 200_000;

    private final Bucket overall;
    private final int perDevicePerMinute;
    private final Map<String, Bucket> devices = new ConcurrentHashMap<>();

    public RateLimiter(int overallPerSecond, int perDevicePerMinute) {
        this.overall = overallPerSecond > 0 ? new Bucket(overallPerSecond, overallPerSecond / 1e9) : null;
        this.perDevicePerMinute = perDevicePerMinute;
    }

    /** Takes one overall token: 0 when allowed, else the seconds to wait. */
    public int overall() {
        return overall == null ? 0 : overall.take(System.nanoTime());
    }

    /** Takes one token of the device's bucket: 0 when allowed, else the seconds to wait. */
    public int device(String registrationId) {
        if (perDevicePerMinute <= 0) {
            return 0;
        }
        if (devices.size() > MAX_TRACKED_DEVICES) {
            devices.clear(); // bounded memory under a flood of IDs; forgets at worst some partial buckets
        }
        return devices.computeIfAbsent(registrationId, k -> new Bucket(perDevicePerMinute, perDevicePerMinute / 60e9))
                .take(System.nanoTime());
    }

    private static final class Bucket {
        private final double capacity;
        private final double perNano;
        private double tokens;
        private long last;

        Bucket(double capacity, double perNano) {
            this.capacity = capacity;
            this.perNano = perNano;
            this.tokens = capacity;
            this.last = System.nanoTime();
        }

        synchronized int take(long now) {
            tokens = Math.min(capacity, tokens + (now - last) * perNano);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (int) Math.max(1, Math.ceil((1 - tokens) / perNano / 1e9));
        }
    }
}
