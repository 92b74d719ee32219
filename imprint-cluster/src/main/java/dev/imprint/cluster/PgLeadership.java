package dev.imprint.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership by PostgreSQL session advisory locks ({@code pg_try_advisory_lock}), one per key, on a
 * dedicated connection of this node's own: when the node dies its connection closes and the
 * server drops its locks, so a standby calling {@link #lead} every ~2 s takes over within a few
 * seconds.
 *
 * <p>Fencing: every call first checks the connection with a round trip ({@code isValid}); a leader
 * cut off from the database answers false and drops the connection, and only the next call
 * connects again and tries to take the lock anew. Publication must also be safe under a brief
 * overlap of two leaders (CRL numbers come from a shared counter).
 *
 * <p>Thread-safe; {@link #lead} may block for the connect timeout (5 s) while the database is down.
 */
public final class PgLeadership implements Leadership {
    private static final Logger LOG = LoggerFactory.getLogger(PgLeadership.class);
    /** How long the liveness round trip may take, in seconds. */
    private static final int VALID_TIMEOUT_S = 2;

    private final ClusterDatabase database;
    private final String node;
    private final Set<String> held = new HashSet<>();
    private Connection connection;
    private boolean lost;

    /** Connects on the first {@link #lead} call. */
    public PgLeadership(ClusterDatabase database, String node) {
        this.database = database;
        this.node = node;
    }

    @Override
    public synchronized boolean lead(String key) {
        try {
            if (connection != null && !connection.isValid(VALID_TIMEOUT_S)) {
                LOG.warn("event=leader.connection_lost node={} held={} msg=\"no longer leading: the lock connection broke\"", node, held);
                drop();
                return false;
            }
            if (connection == null) {
                connection = database.connect("leader " + node);
                lost = false;
            }
            if (held.contains(key)) {
                return true;
            }
            try (PreparedStatement ps = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                ps.setLong(1, lockId(key));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        held.add(key);
                        LOG.info("event=leader.elected node={} key={}", node, key);
                        return true;
                    }
                    return false;
                }
            }
        } catch (SQLException e) {
            if (!lost) {
                LOG.warn("event=leader.unreachable node={} key={} msg=\"{}\"", node, key, e.getMessage());
            }
            drop();
            lost = true;
            return false;
        }
    }

    private void drop() {
        held.clear();
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // broken anyway; the server drops the locks with the session
            }
            connection = null;
        }
    }

    /** The advisory lock id of a key: 64 bits of SHA-256, in a namespace of Imprint's own. */
    static long lockId(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(("imprint.leader:" + key).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /**
     * Releases every lock before it returns, so a standby can lead at once. Closing the connection
     * alone would release them too, but only when the server has ended the session, after
     * {@code close()} returned.
     */
    @Override
    public synchronized void close() {
        if (connection != null && !held.isEmpty()) {
            try (PreparedStatement ps = connection.prepareStatement("SELECT pg_advisory_unlock_all()")) {
                ps.execute();
            } catch (SQLException e) {
                LOG.warn("event=leader.release_failed node={} held={} msg=\"{}\"", node, held, e.getMessage());
            }
        }
        drop();
    }
}
