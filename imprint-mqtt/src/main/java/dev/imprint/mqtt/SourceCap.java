package dev.imprint.mqtt;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open connections per source address on one listener: a connection beyond {@code max} is
 * refused at accept (TOO_MANY_CONNECTIONS), before TLS, so one address cannot hold every file
 * descriptor of the server. Entries leave the map with their last connection. Thread-safe.
 */
public final class SourceCap {
    private final int max;
    private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

    /** @param max 0: no cap */
    public SourceCap(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("connections per source must be >= 0: " + max);
        }
        this.max = max;
    }

    public int max() {
        return max;
    }

    /**
     * Counts a new connection from {@code peer}; false (and not counted) when its source already
     * holds {@code max}. A true answer must be followed by {@link #release} when the connection ends.
     */
    public boolean admit(SocketAddress peer) {
        InetAddress a = addressOf(peer);
        if (max == 0 || a == null) {
            return true;
        }
        boolean[] admitted = {false};
        open.compute(a, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= max) {
                return n;
            }
            admitted[0] = true;
            return now + 1;
        });
        return admitted[0];
    }

    public void release(SocketAddress peer) {
        InetAddress a = addressOf(peer);
        if (max == 0 || a == null) {
            return;
        }
        open.computeIfPresent(a, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Sources currently holding a connection (for tests and gauges). */
    public int sources() {
        return open.size();
    }

    private static InetAddress addressOf(SocketAddress peer) {
        return peer instanceof InetSocketAddress i ? i.getAddress() : null;
    }
}
