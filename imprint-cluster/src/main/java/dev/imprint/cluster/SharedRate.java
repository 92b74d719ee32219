package dev.imprint.cluster;

import java.util.function.LongSupplier;

/**
 * A rate for the whole service, shared by the live nodes of one role: this node's bucket admits
 * {@code perSecond / N} per second, with a burst of that much (never less than one), N from a
 * {@link LiveNodeCount}. A balancer spreads load evenly, so N shares add up to the whole rate
 * without any state shared on the request path. One process: N is 1, the whole rate here.
 *
 * <p>Only a rate over many callers divides this way: a limit per caller (per device, per client
 * ID) does not, since one caller's attempts need not be spread evenly.
 */
public final class SharedRate {
    private final double perSecond;
    private final LiveNodeCount nodes;
    private final LongSupplier nanoTime;
    private final TokenBucket bucket;
    private int shares = 1;

    /** @param perSecond the whole service's rate, above 0 */
    public SharedRate(double perSecond, LiveNodeCount nodes, LongSupplier nanoTime) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("a shared rate must be above 0, not " + perSecond);
        }
        this.perSecond = perSecond;
        this.nodes = nodes;
        this.nanoTime = nanoTime;
        this.bucket = new TokenBucket(perSecond, perSecond, nanoTime.getAsLong());
    }

    /** Takes one token of this node's share: 0 when allowed, else the seconds to wait. */
    public int take() {
        long now = nanoTime.getAsLong();
        int n = nodes.getAsInt();
        synchronized (this) {
            if (n != shares) {
                shares = n;
                double share = perSecond / n;
                bucket.resize(Math.max(1, share), share, now);
            }
        }
        return bucket.take(now);
    }

    /** The whole service's rate. */
    public double perSecond() {
        return perSecond;
    }

    /** How many nodes this node's share was last computed for. */
    public synchronized int nodes() {
        return shares;
    }

    /** This node's share per second. */
    public synchronized double share() {
        return perSecond / shares;
    }
}
