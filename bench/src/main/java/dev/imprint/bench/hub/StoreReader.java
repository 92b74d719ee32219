package dev.imprint.bench.hub;

import dev.imprint.store.TelemetryChunk;
import dev.imprint.store.TelemetryRecord;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Reads the hub's SQLite telemetry as it becomes visible: polls {@code hub_telemetry_chunks} for
 * runs of messages past the last one seen every millisecond (the embedded SQL path has no push to a reader; the
 * console and {@code imprint telemetry} read the same table), handing each body to a sink. What
 * it measures is publish to committed and queryable, plus up to one poll interval.
 */
final class StoreReader implements AutoCloseable {
    private static final long POLL_MILLIS = 1;

    private final Thread thread;
    private volatile boolean stopped;

    private StoreReader(Path db, Consumer<byte[]> sink) throws SQLException {
        org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
        config.setBusyTimeout(5_000); // the hub's writer checkpoints the WAL now and then
        Connection c = config.createConnection("jdbc:sqlite:" + db);
        long from = maxSeq(c);
        this.thread = new Thread(() -> poll(c, from, sink), "e2e-store-reader");
        thread.setDaemon(true);
    }

    /** Starts after the rows already there. */
    static StoreReader start(Path db, Consumer<byte[]> sink) throws SQLException {
        StoreReader r = new StoreReader(db, sink);
        r.thread.start();
        return r;
    }

    private void poll(Connection c, long from, Consumer<byte[]> sink) {
        long last = from;
        try (c; PreparedStatement q = c.prepareStatement("SELECT last_seq, message_count, device_id, hub, messages"
                + " FROM hub_telemetry_chunks WHERE last_seq > ? ORDER BY last_seq")) {
            while (!stopped) {
                q.setLong(1, last);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        last = rs.getLong(1);
                        for (TelemetryRecord r : TelemetryChunk.unpack(last, rs.getInt(2), rs.getString(3), rs.getString(4), rs.getBytes(5))) {
                            sink.accept(r.body());
                        }
                    }
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (SQLException e) {
            System.out.println("store reader stopped: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The newest stored message's number (pruning does not lower it); 0 for none. */
    static long maxSeq(Connection c) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT coalesce(max(last_seq), 0) FROM hub_telemetry_chunks")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(TimeUnit.SECONDS.toMillis(10));
    }
}
