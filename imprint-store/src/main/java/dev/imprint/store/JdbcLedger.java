package dev.imprint.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The ledger in the {@code ledger} table; {@code ON CONFLICT DO NOTHING} (SQLite and PostgreSQL) makes it idempotent. */
final class JdbcLedger implements Ledger {
    private static final String COLUMNS = "serial, device_id, key_fingerprint, station, batch, provisioned_at, recorded_at";

    private final Db db;

    JdbcLedger(Db db) {
        this.db = db;
    }

    @Override
    public int recordAll(List<LedgerEntry> entries) {
        if (entries.isEmpty()) {
            return 0;
        }
        return db.write("recording " + entries.size() + " ledger entries", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO ledger (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (serial) DO NOTHING")) {
                for (LedgerEntry e : entries) {
                    ps.setString(1, e.serialHex());
                    ps.setString(2, e.deviceId());
                    ps.setString(3, e.keyFingerprint());
                    ps.setString(4, e.station());
                    ps.setString(5, e.batch());
                    ps.setLong(6, e.provisionedAt().toEpochMilli());
                    ps.setLong(7, e.recordedAt().toEpochMilli());
                    ps.addBatch();
                }
                int added = 0;
                for (int n : ps.executeBatch()) {
                    added += n > 0 ? n : 0;
                }
                return added;
            }
        });
    }

    @Override
    public List<LedgerEntry> list(String batch, int limit, int offset) {
        if (limit < 0 || offset < 0) {
            throw new IllegalArgumentException("limit and offset must not be negative");
        }
        String where = batch == null ? "" : " WHERE batch = ?";
        return db.read("listing the ledger", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM ledger" + where
                    + " ORDER BY provisioned_at, serial LIMIT ? OFFSET ?")) {
                int i = 1;
                if (batch != null) {
                    ps.setString(i++, batch);
                }
                ps.setInt(i++, limit);
                ps.setInt(i, offset);
                try (ResultSet rs = ps.executeQuery()) {
                    List<LedgerEntry> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new LedgerEntry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), Instant.ofEpochMilli(rs.getLong(6)), Instant.ofEpochMilli(rs.getLong(7))));
                    }
                    return out;
                }
            }
        });
    }

    @Override
    public long count(String batch) {
        String where = batch == null ? "" : " WHERE batch = ?";
        return db.read("counting the ledger", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM ledger" + where)) {
                if (batch != null) {
                    ps.setString(1, batch);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }
}
