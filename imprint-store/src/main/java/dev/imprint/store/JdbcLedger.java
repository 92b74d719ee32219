package dev.imprint.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/** The ledger in the {@code ledger} table; {@code ON CONFLICT DO NOTHING} (SQLite and PostgreSQL) makes it idempotent. */
final class JdbcLedger implements Ledger {
    private static final String COLUMNS = "serial, device_id, key_fingerprint, station, batch, provisioned_at, recorded_at";

    /** Rows per INSERT statement: 7 parameters each stays far below both databases' parameter limits. */
    private static final int CHUNK = 500;

    private final Db db;

    JdbcLedger(Db db) {
        this.db = db;
    }

    @Override
    public int recordAll(List<LedgerEntry> entries) {
        return recordAll(entries, added -> null);
    }

    @Override
    public int recordAll(List<LedgerEntry> entries, IntFunction<AuditLog.Entry> audit) {
        Objects.requireNonNull(audit, "audit");
        if (entries.isEmpty()) {
            return 0;
        }
        return db.write("recording " + entries.size() + " ledger entries", c -> {
            int added = 0;
            for (int from = 0; from < entries.size(); from += CHUNK) {
                added += insert(c, entries.subList(from, Math.min(entries.size(), from + CHUNK)));
            }
            AuditLog.Entry entry = added > 0 ? audit.apply(added) : null;
            if (entry != null) {
                JdbcAuditLog.requireComplete(List.of(entry));
                JdbcAuditLog.appendIn(c, db.dialect, List.of(entry));
            }
            return added;
        });
    }

    /**
     * One multi-row INSERT: its update count is the number of new rows on both dialects (a JDBC
     * batch is not: PostgreSQL's driver rewrites it and reports SUCCESS_NO_INFO per row).
     */
    private static int insert(Connection c, List<LedgerEntry> entries) throws SQLException {
        String values = String.join(", ", Collections.nCopies(entries.size(), "(?, ?, ?, ?, ?, ?, ?)"));
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO ledger (" + COLUMNS + ") VALUES " + values
                + " ON CONFLICT (serial) DO NOTHING")) {
            int i = 1;
            for (LedgerEntry e : entries) {
                ps.setString(i++, e.serialHex());
                ps.setString(i++, e.deviceId());
                ps.setString(i++, e.keyFingerprint());
                ps.setString(i++, e.station());
                ps.setString(i++, e.batch());
                ps.setLong(i++, e.provisionedAt().toEpochMilli());
                ps.setLong(i++, e.recordedAt().toEpochMilli());
            }
            return ps.executeUpdate();
        }
    }

    @Override
    public List<LedgerEntry> list(String batch, String station, int limit, int offset) {
        if (limit < 0 || offset < 0) {
            throw new IllegalArgumentException("limit and offset must not be negative");
        }
        List<Object> args = new ArrayList<>(filterArgs(batch, station));
        args.add(limit);
        args.add(offset);
        return db.list("listing the ledger", "SELECT " + COLUMNS + " FROM ledger" + where(batch, station)
                + " ORDER BY provisioned_at, serial LIMIT ? OFFSET ?",
                rs -> new LedgerEntry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), Instant.ofEpochMilli(rs.getLong(6)), Instant.ofEpochMilli(rs.getLong(7))), args.toArray());
    }

    @Override
    public long count(String batch, String station) {
        return db.list("counting the ledger", "SELECT COUNT(*) FROM ledger" + where(batch, station), rs -> rs.getLong(1),
                filterArgs(batch, station).toArray()).get(0);
    }

    private static String where(String batch, String station) {
        List<String> terms = new ArrayList<>();
        if (batch != null) {
            terms.add("batch = ?");
        }
        if (station != null) {
            terms.add("station = ?");
        }
        return terms.isEmpty() ? "" : " WHERE " + String.join(" AND ", terms);
    }

    private static List<Object> filterArgs(String batch, String station) {
        List<Object> args = new ArrayList<>();
        if (batch != null) {
            args.add(batch);
        }
        if (station != null) {
            args.add(station);
        }
        return args;
    }
}
