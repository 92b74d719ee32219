package dev.imprint.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The {@code device_events} outbox; {@link #append} runs inside the caller's transaction. */
final class JdbcDeviceEvents implements DeviceEvents {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Db db;
    private volatile boolean on;

    JdbcDeviceEvents(Db db) {
        this.db = db;
    }

    @Override
    public void record(boolean on) {
        this.on = on;
    }

    /** A detail object to fill. */
    static ObjectNode detail() {
        return JSON.createObjectNode();
    }

    /** Adds an event in {@code c}'s transaction when recording is on. */
    void append(Connection c, String deviceId, String type, Instant at, ObjectNode detail) throws SQLException {
        if (!on) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO device_events (event_id, device_id, type, at, detail) VALUES (?, ?, ?, ?, ?)")) {
            JdbcCertificateStore.bind(ps, UUID.randomUUID().toString(), deviceId, type, at.toEpochMilli(), detail.toString());
            ps.executeUpdate();
        }
    }

    /** A revocation's event, for device certificates only (the device ID read from the row). */
    void revoked(Connection c, RevokedEntry e) throws SQLException {
        if (!on) {
            return;
        }
        String device;
        try (PreparedStatement ps = c.prepareStatement("SELECT device_id FROM certificates WHERE serial = ? AND kind = 'device'")) {
            ps.setString(1, e.serialHex());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
                device = rs.getString(1);
            }
        }
        append(c, device, "certificate.revoked", e.revokedAt(), detail().put("serial", e.serialHex()).put("reason", e.reason()));
    }

    @Override
    public List<DeviceEvent> pending(int limit) {
        return db.list("reading pending device events", "SELECT id, event_id, device_id, type, at, detail FROM device_events"
                + " ORDER BY id LIMIT ?", rs -> new DeviceEvent(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        Instant.ofEpochMilli(rs.getLong(5)), rs.getString(6)), limit);
    }

    @Override
    public void published(List<Long> ids) {
        if (ids.isEmpty()) {
            return;
        }
        db.write("removing " + ids.size() + " published device events", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM device_events WHERE id = ?")) {
                for (long id : ids) {
                    ps.setLong(1, id);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }
}
