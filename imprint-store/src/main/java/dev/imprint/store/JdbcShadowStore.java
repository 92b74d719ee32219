package dev.imprint.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Shadows in {@code hub_twins} (classic: the twin row and its {@code shadow_*} columns) and
 * {@code shadows} (named). An update reads the row locked (PostgreSQL {@code FOR UPDATE}, SQLite
 * the file's write lock), applies the change and writes the row in one transaction; two
 * first writes of the same shadow on PostgreSQL race on the primary key, and the loser runs
 * again on the winner's row.
 */
final class JdbcShadowStore implements ShadowStore {
    private static final String CLASSIC_READ = "SELECT desired, reported, shadow_metadata, shadow_version, shadow_deleted, updated_at,"
            + " desired_version, reported_version FROM hub_twins WHERE device_id = ?";
    private static final String NAMED_READ = "SELECT desired, reported, metadata, version, deleted, updated_at FROM shadows"
            + " WHERE device_id = ? AND name = ?";
    private final Db db;

    JdbcShadowStore(Db db) {
        this.db = db;
    }

    @Override
    public ShadowRecord get(String deviceId, String name) {
        return db.read("reading the shadow " + label(deviceId, name), c -> {
            ShadowRecord s = read(c, deviceId, name, "");
            return s != null ? s : ShadowRecord.absent(deviceId, name);
        });
    }

    @Override
    public <T> T update(String deviceId, String name, Change<T> change) {
        String what = "updating the shadow " + label(deviceId, name);
        try {
            return db.write(what, c -> apply(c, deviceId, name, change));
        } catch (Db.DuplicateKeyException e) {
            return db.write(what, c -> apply(c, deviceId, name, change));
        }
    }

    @Override
    public List<String> names(String deviceId) {
        return db.list("listing the shadows of " + deviceId, "SELECT name FROM shadows WHERE device_id = ? AND NOT deleted ORDER BY name",
                rs -> rs.getString(1), deviceId);
    }

    private <T> T apply(Connection c, String deviceId, String name, Change<T> change) throws SQLException {
        ShadowRecord stored = read(c, deviceId, name, db.dialect.forUpdate);
        ShadowRecord before = stored != null ? stored : ShadowRecord.absent(deviceId, name);
        Outcome<T> out = change.apply(before, () -> countNamed(c, deviceId));
        if (out.write() != null) {
            reportedChanged(c, before, out.write());
            write(c, out.write(), stored == null);
        }
        return out.result();
    }

    /**
     * The twin's reported section changed (a device's twin patch, an AWS classic shadow update or
     * delete): a {@code twin.reported} event in this transaction, so none exists for a change
     * that did not commit.
     */
    private void reportedChanged(Connection c, ShadowRecord before, ShadowRecord next) throws SQLException {
        if (next.classic() && next.reportedVersion() > before.reportedVersion()) {
            db.events.append(c, next.deviceId(), "twin.reported", next.updatedAt(), JdbcDeviceEvents.detail()
                    .put("version", next.reportedVersion()).set("reported", ShadowJson.object(next.reported())));
        }
    }

    private static int countNamed(Connection c, String deviceId) {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM shadows WHERE device_id = ? AND NOT deleted")) {
            ps.setString(1, deviceId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new StoreException("counting the shadows of " + deviceId + " failed: " + e.getMessage(), e);
        }
    }

    /** The stored row, or null when there is none. */
    static ShadowRecord read(Connection c, String deviceId, String name, String forUpdate) throws SQLException {
        boolean classic = CLASSIC.equals(name);
        try (PreparedStatement ps = c.prepareStatement((classic ? CLASSIC_READ : NAMED_READ) + forUpdate)) {
            ps.setString(1, deviceId);
            if (!classic) {
                ps.setString(2, name);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new ShadowRecord(deviceId, name, rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), !rs.getBoolean(5),
                        java.time.Instant.ofEpochMilli(rs.getLong(6)), classic ? rs.getLong(7) : 0, classic ? rs.getLong(8) : 0);
            }
        }
    }

    /** A plain INSERT for a row that was not there (a concurrent creator makes it fail, and the update runs again), else an UPDATE. */
    static void write(Connection c, ShadowRecord s, boolean fresh) throws SQLException {
        String sql;
        Object[] args;
        long at = s.updatedAt().toEpochMilli();
        if (s.classic()) {
            sql = fresh
                    ? "INSERT INTO hub_twins (desired, reported, shadow_metadata, shadow_version, shadow_deleted, updated_at, desired_version,"
                            + " reported_version, device_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    : "UPDATE hub_twins SET desired = ?, reported = ?, shadow_metadata = ?, shadow_version = ?, shadow_deleted = ?,"
                            + " updated_at = ?, desired_version = ?, reported_version = ? WHERE device_id = ?";
            args = new Object[] {s.desired(), s.reported(), s.metadata(), s.version(), !s.exists(), at, s.desiredVersion(), s.reportedVersion(),
                    s.deviceId()};
        } else {
            sql = fresh
                    ? "INSERT INTO shadows (desired, reported, metadata, version, deleted, updated_at, device_id, name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    : "UPDATE shadows SET desired = ?, reported = ?, metadata = ?, version = ?, deleted = ?, updated_at = ?"
                            + " WHERE device_id = ? AND name = ?";
            args = new Object[] {s.desired(), s.reported(), s.metadata(), s.version(), !s.exists(), at, s.deviceId(), s.name()};
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            JdbcCertificateStore.bind(ps, args);
            ps.executeUpdate();
        }
    }

    private static String label(String deviceId, String name) {
        return CLASSIC.equals(name) ? deviceId : deviceId + "/" + name;
    }
}
