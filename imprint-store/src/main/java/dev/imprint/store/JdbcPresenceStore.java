package dev.imprint.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

/** Presence in {@code hub_presence}. */
final class JdbcPresenceStore implements PresenceStore {
    private final Db db;

    JdbcPresenceStore(Db db) {
        this.db = db;
    }

    @Override
    public void connected(String deviceId, String hub, Instant at) {
        db.write("recording " + deviceId + " connected", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO hub_presence (device_id, hub, connected, connected_at, last_seen)"
                    + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET hub = excluded.hub, connected = excluded.connected,"
                    + " connected_at = excluded.connected_at, last_seen = excluded.last_seen")) {
                JdbcCertificateStore.bind(ps, deviceId, hub, true, at.toEpochMilli(), at.toEpochMilli());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public void disconnected(String deviceId, String hub, Instant at) {
        update("recording " + deviceId + " disconnected",
                "UPDATE hub_presence SET connected = ?, last_seen = ? WHERE device_id = ? AND hub = ?", false, at.toEpochMilli(), deviceId, hub);
    }

    @Override
    public void seen(Collection<String> deviceIds, Instant at) {
        if (deviceIds.isEmpty()) {
            return;
        }
        db.write("recording last-seen times", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE hub_presence SET last_seen = ? WHERE device_id = ?")) {
                for (String id : deviceIds) {
                    ps.setLong(1, at.toEpochMilli());
                    ps.setString(2, id);
                    ps.addBatch();
                }
                return ps.executeBatch();
            }
        });
    }

    @Override
    public void hubReset(String hub, Instant at) {
        update("resetting presence of " + hub, "UPDATE hub_presence SET connected = ? WHERE hub = ? AND connected = ?", false, hub, true);
    }

    @Override
    public Optional<PresenceRecord> find(String deviceId) {
        return db.read("reading presence of " + deviceId, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT hub, connected, connected_at, last_seen FROM hub_presence WHERE device_id = ?")) {
                ps.setString(1, deviceId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<PresenceRecord>empty();
                    }
                    long connectedAt = rs.getLong(3);
                    Instant ca = rs.wasNull() ? null : Instant.ofEpochMilli(connectedAt);
                    return Optional.of(new PresenceRecord(deviceId, rs.getString(1), rs.getBoolean(2), ca, Instant.ofEpochMilli(rs.getLong(4))));
                }
            }
        });
    }

    private void update(String what, String sql, Object... args) {
        db.write(what, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                JdbcCertificateStore.bind(ps, args);
                return ps.executeUpdate();
            }
        });
    }
}
