package dev.imprint.dps.registration;

import dev.imprint.cluster.LiveNodeCount;
import dev.imprint.cluster.SharedRate;
import dev.imprint.cluster.TokenBucket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Token buckets: one overall (registrations per second, burst of one second's worth) and one
 * per registration ID (registrations per minute, burst of that many). A limit of 0 turns that
 * bucket off. Polls are not counted here: they are cheap reads.
 *
 * <p>Several provisioning nodes: the overall limit is for the whole service, so this node's
 * bucket gets {@code overallPerSecond / liveNodes} ({@link SharedRate}: the count reread every few
 * seconds, not per request). The per-device bucket stays per node: a device whose attempts are
 * spread over N nodes by the balancer may register up to N times as often. That is the price of
 * no shared state on the hot path, and bounded: the overall share still holds, and every attempt
 * is attested first.
 */
public final class RateLimiter {
    private static final int MAX_TRACKED_DEVICES = 200_000;

    private final SharedRate overall;
    private final int perDevicePerMinute;
    private final Map<String, TokenBucket> devices = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    /** One node: {@link #RateLimiter(int, int, IntSupplier, LongSupplier)} with 1 node and {@link System#nanoTime}. */
    public RateLimiter(int overallPerSecond, int perDevicePerMinute) {
        this(overallPerSecond, perDevicePerMinute, () -> 1, System::nanoTime);
    }

    /**
     * @param liveNodes how many provisioning nodes share the overall limit (at least 1 counts)
     * @param nanoTime the time source of the buckets (tests move it by hand)
     */
    public RateLimiter(int overallPerSecond, int perDevicePerMinute, IntSupplier liveNodes, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.overall = overallPerSecond > 0
                ? new SharedRate(overallPerSecond, new LiveNodeCount("dps", liveNodes, nanoTime), nanoTime) : null;
        this.perDevicePerMinute = perDevicePerMinute;
    }

    /** Takes one overall token: 0 when allowed, else the seconds to wait. */
    public int overall() {
        return overall == null ? 0 : overall.take();
    }

    /** Takes one token of the device's bucket: 0 when allowed, else the seconds to wait. */
    public int device(String registrationId) {
        if (perDevicePerMinute <= 0) {
            return 0;
        }
        if (devices.size() > MAX_TRACKED_DEVICES) {
            devices.clear(); // bounded memory under a flood of IDs; forgets at worst some partial buckets
        }
        long now = nanoTime.getAsLong();
        return devices.computeIfAbsent(registrationId, k -> new TokenBucket(perDevicePerMinute, perDevicePerMinute / 60.0, now))
                .take(now);
    }

    /** The live node count this node's overall share is computed from (1 until first read). */
    int nodes() {
        return overall == null ? 1 : overall.nodes();
    }
}
