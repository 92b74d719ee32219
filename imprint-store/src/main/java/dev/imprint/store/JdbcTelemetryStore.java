package dev.imprint.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Telemetry in {@code hub_telemetry}; retention deletes by time and by a global row cap. */
final class JdbcTelemetryStore implements TelemetryStore {
    private final Db db;

    JdbcTelemetryStore(Db db) {
        this.db = db;
    }

    @Override
    public void appendAll(List<TelemetryRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        List<TelemetryRecord> rows = byDevice(records);
        db.write("storing " + rows.size() + " telemetry messages", c -> {
            if (db.dialect == Dialect.SQLITE) {
                TelemetryInserts.insert(db, c, rows);
                return null;
            }
            // PostgreSQL's driver rewrites the batch into multi-row INSERTs itself (reWriteBatchedInserts)
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO hub_telemetry (device_id, hub, received_at, properties, body) VALUES (?, ?, ?, ?, ?)")) {
                for (TelemetryRecord r : rows) {
                    ps.setString(1, r.deviceId());
                    ps.setString(2, r.hub());
                    ps.setLong(3, r.receivedAt().toEpochMilli());
                    ps.setString(4, r.properties());
                    ps.setBytes(5, r.body());
                    ps.addBatch();
                }
                return ps.executeBatch();
            }
        });
    }

    /**
     * The batch grouped by device, each device's messages in their order (a stable sort): the
     * {@code (device_id, seq)} index then takes a device's rows in one place each instead of an
     * insert in the middle of the b-tree per row while many devices interleave (about 1 us of
     * the writer's CPU per row with 10 devices). Seq order across devices within one committed
     * batch is then device order; readers see a batch whole, and seq order per device is kept.
     * Retention, which goes by seq, then takes a batch's rows in device order too: a difference
     * of at most one batch (a few milliseconds of arrivals) at the edge of what it deletes.
     */
    private static List<TelemetryRecord> byDevice(List<TelemetryRecord> records) {
        List<TelemetryRecord> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparing(TelemetryRecord::deviceId));
        return sorted;
    }

    @Override
    public List<TelemetryRecord> recent(String deviceId, int limit) {
        return db.read("reading telemetry of " + deviceId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, device_id, hub, received_at, properties, body"
                    + " FROM hub_telemetry WHERE device_id = ? ORDER BY seq DESC LIMIT ?")) {
                ps.setString(1, deviceId);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    List<TelemetryRecord> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new TelemetryRecord(rs.getLong(1), rs.getString(2), rs.getString(3),
                                Instant.ofEpochMilli(rs.getLong(4)), rs.getString(5), rs.getBytes(6)));
                    }
                    return out;
                }
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>The age rule walks the rows in {@code seq} (arrival) order from the oldest and stops at
     * the first one received at or after {@code olderThan}: a range delete on the primary key,
     * no index on {@code received_at} to keep up on every insert. Since seq is arrival order this
     * deletes the same rows as "all received before", except around a step back of a hub's clock
     * or between hubs with skewed clocks sharing one store: an old row behind a newer one waits
     * until the newer one is old enough (or the row cap takes it).
     */
    @Override
    public int prune(Instant olderThan, long keepRows, int limit) {
        return db.write("pruning telemetry", c -> {
            int n = 0;
            long bound = 0;
            // the first seq not to delete: the oldest row not old enough among the oldest limit (a
            // scan that stops there: at once while nothing is old), else the row past them
            try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM (SELECT seq, received_at FROM hub_telemetry ORDER BY seq LIMIT ?)"
                    + " AS oldest WHERE received_at >= ? ORDER BY seq LIMIT 1")) {
                ps.setInt(1, limit);
                ps.setLong(2, olderThan.toEpochMilli());
                try (ResultSet rs = ps.executeQuery()) {
                    bound = rs.next() ? rs.getLong(1) : 0;
                }
            }
            if (bound == 0) {
                try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(seq) + 1, 0) FROM (SELECT seq FROM hub_telemetry ORDER BY seq LIMIT ?) AS oldest")) {
                    ps.setInt(1, limit);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        bound = rs.getLong(1);
                    }
                }
            }
            if (bound > 0) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM hub_telemetry WHERE seq < ?")) {
                    ps.setLong(1, bound);
                    n = ps.executeUpdate();
                }
            }
            // by key range: at most limit rows from the oldest, never past the newest keepRows
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM hub_telemetry WHERE seq <= (SELECT MAX(seq) FROM hub_telemetry) - ?"
                    + " AND seq < (SELECT MIN(seq) FROM hub_telemetry) + ?")) {
                ps.setLong(1, keepRows);
                ps.setLong(2, limit);
                n += ps.executeUpdate();
            }
            return n;
        });
    }

    /**
     * SQLite's telemetry INSERT: rows in multi-row statements of a few fixed sizes, each prepared
     * once on the writer connection. One statement per row cost a statement start and end per row
     * (and the AUTOINCREMENT counter's update with it); the hub, the same for a run of rows, is
     * bound once per statement (numbered parameter {@code ?1}).
     */
    static final class TelemetryInserts {
        /** Rows per statement, largest first: a batch is cut into as few statements as these allow. */
        static final int[] SIZES = {256, 64, 16, 4, 1};
        private static final String[] SQL = new String[SIZES.length];

        static {
            for (int i = 0; i < SIZES.length; i++) {
                SQL[i] = sql(SIZES[i]);
            }
        }

        private TelemetryInserts() {}

        static String sql(int rows) {
            StringBuilder sb = new StringBuilder("INSERT INTO hub_telemetry (hub, device_id, received_at, properties, body) VALUES ");
            for (int i = 0; i < rows; i++) {
                int p = 2 + 4 * i;
                sb.append(i == 0 ? "" : ", ").append("(?1, ?").append(p).append(", ?").append(p + 1)
                        .append(", ?").append(p + 2).append(", ?").append(p + 3).append(')');
            }
            return sb.toString();
        }

        static void insert(Db db, Connection c, List<TelemetryRecord> records) throws SQLException {
            int from = 0;
            while (from < records.size()) {
                int run = sameHub(records, from, SIZES[0]);
                int s = 0;
                while (SIZES[s] > run) {
                    s++;
                }
                int start = from;
                int rows = SIZES[s];
                db.inWrite(c, SQL[s], ps -> {
                    ps.setString(1, records.get(start).hub());
                    int p = 2;
                    for (int i = start; i < start + rows; i++) {
                        TelemetryRecord r = records.get(i);
                        ps.setString(p++, r.deviceId());
                        ps.setLong(p++, r.receivedAt().toEpochMilli());
                        ps.setString(p++, r.properties());
                        ps.setBytes(p++, r.body());
                    }
                    return ps.executeUpdate();
                });
                from += rows;
            }
        }

        /** How many rows from {@code from} on (at most {@code max}) share the hub of the first. */
        private static int sameHub(List<TelemetryRecord> records, int from, int max) {
            String hub = records.get(from).hub();
            int end = Math.min(records.size(), from + max);
            int i = from + 1;
            while (i < end && records.get(i).hub().equals(hub)) {
                i++;
            }
            return i - from;
        }
    }
}
