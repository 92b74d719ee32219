package dev.imprint.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Telemetry in {@code hub_telemetry_chunks}: a row per run of a device's messages in a batch
 * ({@link TelemetryChunk}); retention deletes whole rows by age and by a global message cap.
 */
final class JdbcTelemetryStore implements TelemetryStore {
    private static final String INSERT = "INSERT INTO hub_telemetry_chunks (last_seq, device_id, hub, message_count, last_at, messages)"
            + " VALUES (?, ?, ?, ?, ?, ?)";

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
            long[] seqs = numbers(c, rows.size());
            // PostgreSQL's driver rewrites the batch into multi-row INSERTs itself (reWriteBatchedInserts)
            return db.inWrite(c, INSERT, ps -> {
                int from = 0;
                while (from < rows.size()) {
                    int to = from + TelemetryChunk.runLength(rows, from);
                    long lastAt = Long.MIN_VALUE;
                    for (int i = from; i < to; i++) {
                        lastAt = Math.max(lastAt, rows.get(i).receivedAt().toEpochMilli());
                    }
                    ps.setLong(1, seqs[to - 1]);
                    ps.setString(2, rows.get(from).deviceId());
                    ps.setString(3, rows.get(from).hub());
                    ps.setInt(4, to - from);
                    ps.setLong(5, lastAt);
                    ps.setBytes(6, TelemetryChunk.pack(rows, from, to));
                    ps.addBatch();
                    from = to;
                }
                return ps.executeBatch();
            });
        });
    }

    /**
     * The batch grouped by device, each device's messages in their order, the devices in the
     * order of their first message: each device's messages of the batch make one run. Numbers
     * across devices within one committed batch then follow that order; readers see a batch
     * whole, and the order per device is kept. Retention, which goes by number, then takes a
     * batch's messages in that order too: a difference of at most one batch (a few milliseconds
     * of arrivals) at the edge. Grouped by hashing rather than sorted: a sort of 4,096 messages
     * compared device IDs ~50,000 times.
     */
    private static List<TelemetryRecord> byDevice(List<TelemetryRecord> records) {
        Map<String, List<TelemetryRecord>> devices = new LinkedHashMap<>();
        List<TelemetryRecord> run = null;
        String device = null;
        for (TelemetryRecord r : records) {
            if (!r.deviceId().equals(device)) { // a device's messages often come in a row: one lookup each
                device = r.deviceId();
                run = devices.computeIfAbsent(device, d -> new ArrayList<>());
            }
            run.add(r);
        }
        if (devices.size() == 1) {
            return run;
        }
        List<TelemetryRecord> grouped = new ArrayList<>(records.size());
        devices.values().forEach(grouped::addAll);
        return grouped;
    }

    /**
     * One new number per message, ascending. SQLite has one writer at a time: the numbers after
     * the highest ever stored. PostgreSQL's writers of several hubs may take numbers from the
     * sequence at once, so the numbers need not be consecutive; any {@code n} distinct ascending
     * numbers still give each run {@code last - n + 1 .. last} without overlapping another's.
     */
    private long[] numbers(Connection c, int n) throws SQLException {
        long[] seqs = new long[n];
        if (db.dialect == Dialect.SQLITE) {
            long base = number(c, "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'hub_telemetry_chunks'), 0)");
            for (int i = 0; i < n; i++) {
                seqs[i] = base + 1 + i;
            }
            return seqs;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT nextval('hub_telemetry_seq') FROM generate_series(1, ?)")) {
            ps.setInt(1, n);
            try (ResultSet rs = ps.executeQuery()) {
                for (int i = 0; i < n && rs.next(); i++) {
                    seqs[i] = rs.getLong(1);
                }
            }
        }
        Arrays.sort(seqs);
        return seqs;
    }

    @Override
    public List<TelemetryRecord> recent(String deviceId, int limit) {
        return db.read("reading telemetry of " + deviceId, c -> {
            // every row holds at least one message: limit rows are enough
            try (PreparedStatement ps = c.prepareStatement("SELECT last_seq, message_count, hub, messages"
                    + " FROM hub_telemetry_chunks WHERE device_id = ? ORDER BY last_seq DESC LIMIT ?")) {
                ps.setString(1, deviceId);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    List<TelemetryRecord> out = new ArrayList<>();
                    while (out.size() < limit && rs.next()) {
                        List<TelemetryRecord> run = TelemetryChunk.unpack(rs.getLong(1), rs.getInt(2), deviceId, rs.getString(3), rs.getBytes(4));
                        for (int i = run.size() - 1; i >= 0 && out.size() < limit; i--) {
                            out.add(run.get(i));
                        }
                    }
                    return out;
                }
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Both rules delete whole rows from the oldest (a range delete on the primary key, no
     * index on time to keep up on every insert). The age rule stops at the first row whose
     * newest message is not old enough; since numbers follow arrival this deletes the same as
     * "all received before", except around a step back of a hub's clock or between hubs with
     * skewed clocks sharing one store: an old row behind a newer one waits until the newer one is
     * old enough (or the cap takes it). The cap keeps every row holding one of the newest
     * {@code keepRows} messages, so up to a row's worth more.
     */
    @Override
    public int prune(Instant olderThan, long keepRows, int limit) {
        long old = olderThan.toEpochMilli();
        return db.write("pruning telemetry", c -> {
            int n = deleteOldest(c, limit, (lastSeq, lastAt) -> lastAt < old);
            long cut = number(c, "SELECT coalesce(max(last_seq), 0) FROM hub_telemetry_chunks") - keepRows;
            return n + deleteOldest(c, limit, (lastSeq, lastAt) -> lastSeq <= cut);
        });
    }

    /** The one number a query of the write transaction answers (its statement kept on the SQLite writer). */
    private long number(Connection c, String sql) throws SQLException {
        return db.inWrite(c, sql, ps -> {
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** Which rows a retention rule takes, tested from the oldest until the first it keeps. */
    private interface Rule {
        boolean takes(long lastSeq, long lastAt);
    }

    /** Deletes the oldest rows the rule takes, up to the first row that reaches {@code limit} messages. @return messages deleted */
    private int deleteOldest(Connection c, int limit, Rule rule) throws SQLException {
        long bound = 0;
        int messages = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT last_seq, message_count, last_at FROM hub_telemetry_chunks ORDER BY last_seq LIMIT ?")) {
            ps.setInt(1, limit); // every row holds at least one message
            ps.setFetchSize(256);
            try (ResultSet rs = ps.executeQuery()) {
                while (messages < limit && rs.next() && rule.takes(rs.getLong(1), rs.getLong(3))) {
                    bound = rs.getLong(1);
                    messages += rs.getInt(2);
                }
            }
        }
        if (messages > 0) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM hub_telemetry_chunks WHERE last_seq <= ?")) {
                ps.setLong(1, bound);
                ps.executeUpdate();
            }
        }
        return messages;
    }
}
