package dev.imprint.dps.registration;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Token buckets: one overall (registrations per second, burst of one second's worth) and one
 * per registration ID (registrations per minute, burst of that many). A limit of 0 turns that
 * bucket off. Polls are not counted here: they are cheap reads.
 *
 * <p>Several provisioning nodes: the overall limit is for the whole service, so this node's
 * bucket gets {@code overallPerSecond / liveNodes} (reread every {@link #NODES_REFRESH_NANOS},
 * not per request; a failing or nonsensical count keeps the last good one). The per-device
 * bucket stays per node: a device whose attempts are spread over N nodes by the balancer may
 * register up to N times as often. That is the price of no shared state on the hot path, and
 * bounded: the overall share still holds, and every attempt is attested first.
 */
public final class RateLimiter {
    private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);
    private static final int MAX_TRACKED_DEVICES = 200_000;
    /** How often the live node count is reread. */
    static final long NODES_REFRESH_NANOS = 5_000_000_000L;

    private final int overallPerSecond;
    private final Bucket overall;
    private final int perDevicePerMinute;
    private final Map<String, Bucket> devices = new ConcurrentHashMap<>();
    private final IntSupplier liveNodes;
    private final LongSupplier nanoTime;
    private int nodes = 1;
    private long nodesReadAt;
    private boolean nodesRead;

    /** One node: {@link #RateLimiter(int, int, IntSupplier, LongSupplier)} with 1 node and {@link System#nanoTime}. */
    public RateLimiter(int overallPerSecond, int perDevicePerMinute) {
        this(overallPerSecond, perDevicePerMinute, () -> 1, System::nanoTime);
    }

    /**
     * @param liveNodes how many provisioning nodes share the overall limit (at least 1 counts)
     * @param nanoTime the time source of the buckets (tests move it by hand)
     */
    public RateLimiter(int overallPerSecond, int perDevicePerMinute, IntSupplier liveNodes, LongSupplier nanoTime) {
        this.overallPerSecond = overallPerSecond;
        this.nanoTime = nanoTime;
        this.liveNodes = liveNodes;
        long now = nanoTime.getAsLong();
        this.overall = overallPerSecond > 0 ? new Bucket(overallPerSecond, overallPerSecond / 1e9, now) : null;
        this.perDevicePerMinute = perDevicePerMinute;
    }

    /** Takes one overall token: 0 when allowed, else the seconds to wait. */
    public int overall() {
        if (overall == null) {
            return 0;
        }
        long now = nanoTime.getAsLong();
        refreshShare(now);
        return overall.take(now);
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
        return devices.computeIfAbsent(registrationId, k -> new Bucket(perDevicePerMinute, perDevicePerMinute / 60e9, now))
                .take(now);
    }

    /** The live node count this node's overall share is computed from (1 until first read). */
    synchronized int nodes() {
        return nodes;
    }

    private synchronized void refreshShare(long now) {
        if (nodesRead && now - nodesReadAt < NODES_REFRESH_NANOS) {
            return;
        }
        nodesRead = true;
        nodesReadAt = now;
        int n;
        try {
            n = liveNodes.getAsInt();
        } catch (RuntimeException e) {
            LOG.warn("event=dps.rate.nodes_unknown kept={} msg=\"{}\"", nodes, e.toString());
            return;
        }
        n = Math.max(1, n); // this node is live even when the table does not say so yet
        if (n != nodes) {
            nodes = n;
            double share = (double) overallPerSecond / n;
            // the burst never drops below one registration, or a small share would admit nothing
            overall.resize(Math.max(1, share), share / 1e9, now);
            LOG.info("event=dps.rate.share nodes={} perSecond={}", n, share);
        }
    }

    private static final class Bucket {
        private double capacity;
        private double perNano;
        private double tokens;
        private long last;

        Bucket(double capacity, double perNano, long now) {
            this.capacity = capacity;
            this.perNano = perNano;
            this.tokens = capacity;
            this.last = now;
        }

        synchronized void resize(double newCapacity, double newPerNano, long now) {
            refill(now);
            capacity = newCapacity;
            perNano = newPerNano;
            tokens = Math.min(tokens, capacity);
        }

        synchronized int take(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (int) Math.max(1, Math.ceil((1 - tokens) / perNano / 1e9));
        }

        private void refill(long now) {
            tokens = Math.min(capacity, tokens + Math.max(0, now - last) * perNano);
            last = Math.max(last, now);
        }
    }
}
