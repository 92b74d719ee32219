package dev.imprint.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
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
        db.write("storing " + records.size() + " telemetry messages", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO hub_telemetry (device_id, hub, received_at, properties, body) VALUES (?, ?, ?, ?, ?)")) {
                for (TelemetryRecord r : records) {
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

    @Override
    public int prune(Instant olderThan, long keepRows) {
        return db.write("pruning telemetry", c -> {
            int n;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM hub_telemetry WHERE received_at < ?")) {
                ps.setLong(1, olderThan.toEpochMilli());
                n = ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM hub_telemetry WHERE seq <= (SELECT MAX(seq) FROM hub_telemetry) - ?")) {
                ps.setLong(1, keepRows);
                n += ps.executeUpdate();
            }
            return n;
        });
    }
}
