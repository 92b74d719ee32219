package dev.imprint.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Stations in the {@code stations} table; quota checks are single conditional UPDATEs, so they are atomic. */
final class JdbcStationStore implements StationStore {
    private static final String COLUMNS = "name, id_pattern, quota, rate_per_second, issued, cert_serial, revoked, created_at";
    private static final String REVOKE = "UPDATE stations SET revoked = TRUE WHERE name = ?";

    private final Db db;

    JdbcStationStore(Db db) {
        this.db = db;
    }

    @Override
    public void create(StationRecord s) {
        create(s, null, "creating station " + s.name());
    }

    @Override
    public void create(StationRecord s, AuditLog.Entry audit) {
        JdbcAuditLog.requireComplete(List.of(Objects.requireNonNull(audit, "audit entry")));
        create(s, audit, "creating station " + s.name());
    }

    private void create(StationRecord s, AuditLog.Entry audit, String what) {
        try {
            db.write(what, c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO stations (" + COLUMNS
                        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, s.name());
                    ps.setString(2, s.idPattern());
                    ps.setLong(3, s.quota());
                    ps.setInt(4, s.ratePerSecond());
                    ps.setLong(5, s.issued());
                    ps.setString(6, s.certSerial());
                    ps.setBoolean(7, s.revoked());
                    ps.setLong(8, s.createdAt().toEpochMilli());
                    ps.executeUpdate();
                }
                if (audit != null) {
                    JdbcAuditLog.appendIn(c, db.dialect, List.of(audit));
                }
                return null;
            });
        } catch (Db.DuplicateKeyException e) {
            throw new StoreException("a station named " + s.name() + " exists", e.getCause());
        }
    }

    @Override
    public Optional<StationRecord> find(String name) {
        return db.read("finding station " + name, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM stations WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.<StationRecord>empty();
                }
            }
        });
    }

    @Override
    public List<StationRecord> list() {
        return db.read("listing stations", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM stations ORDER BY name");
                    ResultSet rs = ps.executeQuery()) {
                List<StationRecord> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(read(rs));
                }
                return out;
            }
        });
    }

    @Override
    public boolean revoke(String name) {
        return update("revoking station " + name, REVOKE, name) == 1;
    }

    @Override
    public boolean revoke(String name, AuditLog.Entry audit) {
        JdbcAuditLog.requireComplete(List.of(Objects.requireNonNull(audit, "audit entry")));
        return db.write("revoking station " + name, c -> {
            try (PreparedStatement ps = c.prepareStatement(REVOKE)) {
                ps.setString(1, name);
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            JdbcAuditLog.appendIn(c, db.dialect, List.of(audit));
            return true;
        });
    }

    @Override
    public boolean reserve(String name, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("cannot reserve a negative count: " + n);
        }
        return update("reserving " + n + " for station " + name, "UPDATE stations SET issued = issued + ?"
                + " WHERE name = ? AND (quota = 0 OR issued + ? <= quota)", n, name, n) == 1;
    }

    @Override
    public void release(String name, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("cannot release a negative count: " + n);
        }
        update("releasing " + n + " for station " + name, "UPDATE stations SET issued = CASE WHEN issued >= ?"
                + " THEN issued - ? ELSE 0 END WHERE name = ?", n, n, name);
    }

    private int update(String what, String sql, Object... args) {
        return db.write(what, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                JdbcCertificateStore.bind(ps, args);
                return ps.executeUpdate();
            }
        });
    }

    private static StationRecord read(ResultSet rs) throws SQLException {
        return new StationRecord(
                rs.getString(1),
                rs.getString(2),
                rs.getLong(3),
                rs.getInt(4),
                rs.getLong(5),
                rs.getString(6),
                rs.getBoolean(7),
                Instant.ofEpochMilli(rs.getLong(8)));
    }
}
