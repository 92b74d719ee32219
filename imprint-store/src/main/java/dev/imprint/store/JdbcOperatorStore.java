package dev.imprint.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Operator accounts in {@code operators} (migration V9). */
final class JdbcOperatorStore implements OperatorStore {
    private static final String COLUMNS = "name, role, stations, cert_serial, created_at, created_by, revoked_at";
    private final Db db;

    JdbcOperatorStore(Db db) {
        this.db = db;
    }

    @Override
    public void create(OperatorRecord o, AuditLog.Entry audit) {
        JdbcAuditLog.requireComplete(List.of(Objects.requireNonNull(audit, "audit entry")));
        try {
            db.write("creating operator " + o.name(), c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO operators (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, o.name());
                    ps.setString(2, o.role());
                    ps.setString(3, String.join(",", o.stations()));
                    ps.setString(4, o.certSerial());
                    ps.setLong(5, o.createdAt().toEpochMilli());
                    ps.setString(6, o.createdBy());
                    if (o.revokedAt() == null) {
                        ps.setNull(7, java.sql.Types.BIGINT);
                    } else {
                        ps.setLong(7, o.revokedAt().toEpochMilli());
                    }
                    ps.executeUpdate();
                }
                JdbcAuditLog.appendIn(c, db.dialect, List.of(audit));
                return null;
            });
        } catch (Db.DuplicateKeyException e) {
            throw new StoreException("an operator named " + o.name() + " exists", e.getCause());
        }
    }

    @Override
    public Optional<OperatorRecord> find(String name) {
        return db.list("finding operator " + name, "SELECT " + COLUMNS + " FROM operators WHERE name = ?", JdbcOperatorStore::read, name)
                .stream().findFirst();
    }

    @Override
    public List<OperatorRecord> list() {
        return db.list("listing operators", "SELECT " + COLUMNS + " FROM operators ORDER BY name", JdbcOperatorStore::read);
    }

    @Override
    public boolean revoke(String name, Instant at, AuditLog.Entry audit) {
        JdbcAuditLog.requireComplete(List.of(Objects.requireNonNull(audit, "audit entry")));
        return db.write("revoking operator " + name, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE operators SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL")) {
                ps.setLong(1, at.toEpochMilli());
                ps.setString(2, name);
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            JdbcAuditLog.appendIn(c, db.dialect, List.of(audit));
            return true;
        });
    }

    private static OperatorRecord read(ResultSet rs) throws SQLException {
        String stations = rs.getString(3);
        long revoked = rs.getLong(7);
        Instant revokedAt = rs.wasNull() ? null : Instant.ofEpochMilli(revoked);
        return new OperatorRecord(rs.getString(1), rs.getString(2),
                stations == null || stations.isEmpty() ? List.of() : Arrays.asList(stations.split(",")),
                rs.getString(4), Instant.ofEpochMilli(rs.getLong(5)), rs.getString(6), revokedAt);
    }
}
