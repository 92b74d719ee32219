package dev.imprint.cluster;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One dedicated connection that {@code LISTEN}s on a few channels, read on a thread of its own,
 * reconnected whenever it breaks. It only wakes others up: what was missed while it was down is
 * caught by the caller's backstop poll and by {@code onConnected}, called after every (re)connect.
 */
final class PgListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PgListener.class);
    /** How long one wait for notifications lasts: also how soon the thread notices close(). */
    private static final int WAIT_MS = 500;
    /**
     * How often a quiet connection is probed with a round trip: a server or network that vanished
     * without closing the socket would otherwise go unnoticed for hours (TCP keepalive's default),
     * and the node would live on the backstop alone.
     */
    private static final long PROBE_EVERY_NS = 10_000_000_000L;
    private static final int PROBE_TIMEOUT_S = 5;

    private final ClusterDatabase database;
    private final String purpose;
    private final List<String> channels;
    private final BiConsumer<String, String> onNotification;
    private final Runnable onConnected;
    private final Duration reconnectDelay;
    private final Thread thread;
    private final Object lock = new Object();
    private volatile boolean closed;
    private Connection connection; // guarded by lock

    /**
     * @param onNotification called on the listener thread with channel and payload; must not block
     * @param onConnected called on the listener thread after each successful LISTEN
     */
    PgListener(ClusterDatabase database, String purpose, List<String> channels, BiConsumer<String, String> onNotification,
            Runnable onConnected, Duration reconnectDelay) {
        this.database = database;
        this.purpose = purpose;
        this.channels = List.copyOf(channels);
        this.onNotification = onNotification;
        this.onConnected = onConnected;
        this.reconnectDelay = reconnectDelay;
        this.thread = new Thread(this::run, "imprint-" + purpose.replace(' ', '-'));
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        boolean broken = false;
        while (!closed) {
            try {
                Connection c = listen();
                PGConnection pg = c.unwrap(PGConnection.class);
                if (broken) {
                    LOG.info("event=cluster.listen_reconnected purpose=\"{}\"", purpose);
                    broken = false;
                }
                onConnected.run();
                long lastHeard = System.nanoTime();
                while (!closed) {
                    PGNotification[] got = pg.getNotifications(WAIT_MS);
                    if (got != null && got.length > 0) {
                        lastHeard = System.nanoTime();
                        for (PGNotification n : got) {
                            onNotification.accept(n.getName(), n.getParameter());
                        }
                    } else if (System.nanoTime() - lastHeard > PROBE_EVERY_NS) {
                        if (!c.isValid(PROBE_TIMEOUT_S)) {
                            throw new SQLException("the LISTEN connection no longer answers");
                        }
                        lastHeard = System.nanoTime();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.warn("event=cluster.listen_broken purpose=\"{}\" retry_in_ms={} msg=\"{}\"", purpose, reconnectDelay.toMillis(), e.getMessage());
                broken = true;
                disconnect();
                pause();
            }
        }
    }

    private Connection listen() throws SQLException {
        Connection c = database.connect(purpose);
        synchronized (lock) {
            if (closed) {
                c.close();
                throw new SQLException("closed");
            }
            connection = c;
        }
        try (Statement s = c.createStatement()) {
            for (String channel : channels) {
                s.execute("LISTEN " + PgChannels.quoted(channel));
            }
        }
        return c;
    }

    private void disconnect() {
        synchronized (lock) {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // it is broken already
                }
                connection = null;
            }
        }
    }

    private void pause() {
        synchronized (lock) {
            try {
                if (!closed) {
                    lock.wait(reconnectDelay.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closed = true;
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        try {
            thread.join(2 * WAIT_MS + 1_000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        disconnect();
    }
}
