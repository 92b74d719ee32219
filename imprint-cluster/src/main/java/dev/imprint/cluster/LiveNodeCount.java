package dev.imprint.cluster;

import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many live nodes share a role's service-wide limits ({@link SharedRate}): the node table's
 * count ({@link Membership#live}), reread at most every {@value #REFRESH_NANOS} ns, never per
 * request. This node always counts (at least 1, even before its own row is read back); a failing
 * read keeps the last good count, so a store outage neither stops nor multiplies admission.
 */
public final class LiveNodeCount implements IntSupplier {
    private static final Logger LOG = LoggerFactory.getLogger(LiveNodeCount.class);
    /** How often the count is reread. */
    public static final long REFRESH_NANOS = 5_000_000_000L;

    private final String role;
    private final IntSupplier count;
    private final LongSupplier nanoTime;
    private int nodes = 1;
    private long readAt;
    private boolean read;

    /**
     * @param role the role whose nodes share (for the log)
     * @param count the live nodes of the role, e.g. {@code () -> membership.live("ca").size()}
     * @param nanoTime the clock (tests move it by hand)
     */
    public LiveNodeCount(String role, IntSupplier count, LongSupplier nanoTime) {
        this.role = role;
        this.count = count;
        this.nanoTime = nanoTime;
    }

    /** One process: always 1, nothing read. */
    public static LiveNodeCount one() {
        return new LiveNodeCount("-", () -> 1, System::nanoTime);
    }

    @Override
    public synchronized int getAsInt() {
        long now = nanoTime.getAsLong();
        if (read && now - readAt < REFRESH_NANOS) {
            return nodes;
        }
        read = true;
        readAt = now;
        int n;
        try {
            n = Math.max(1, count.getAsInt());
        } catch (RuntimeException e) {
            LOG.warn("event=rate.nodes_unknown role={} kept={} msg=\"{}\"", role, nodes, e.toString());
            return nodes;
        }
        if (n != nodes) {
            LOG.info("event=rate.share role={} nodes={} was={}", role, n, nodes);
            nodes = n;
        }
        return nodes;
    }
}
