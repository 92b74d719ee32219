package dev.imprint.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The cloud-to-device queue in {@code hub_c2d}. */
final class JdbcC2dQueue implements C2dQueue {
    private final Db db;

    JdbcC2dQueue(Db db) {
        this.db = db;
    }

    @Override
    public C2dMessage enqueue(C2dMessage m) {
        long seq = db.write("queueing a message for " + m.deviceId(), c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO hub_c2d (device_id, message_id, properties, body,"
                    + " enqueued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, m.deviceId());
                ps.setString(2, m.messageId());
                ps.setString(3, m.properties());
                ps.setBytes(4, m.body());
                ps.setLong(5, m.enqueuedAt().toEpochMilli());
                ps.setLong(6, m.expiresAt().toEpochMilli());
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        });
        return new C2dMessage(seq, m.deviceId(), m.messageId(), m.properties(), m.body(), m.enqueuedAt(), m.expiresAt());
    }

    @Override
    public List<C2dMessage> pending(String deviceId, Instant now, int limit) {
        return db.read("reading the queue of " + deviceId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, device_id, message_id, properties, body, enqueued_at,"
                    + " expires_at FROM hub_c2d WHERE device_id = ? AND expires_at > ? ORDER BY seq LIMIT ?")) {
                ps.setString(1, deviceId);
                ps.setLong(2, now.toEpochMilli());
                ps.setInt(3, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    List<C2dMessage> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new C2dMessage(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBytes(5),
                                Instant.ofEpochMilli(rs.getLong(6)), Instant.ofEpochMilli(rs.getLong(7))));
                    }
                    return out;
                }
            }
        });
    }

    @Override
    public boolean complete(long seq) {
        return db.write("completing message " + seq, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM hub_c2d WHERE seq = ?")) {
                ps.setLong(1, seq);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public int expire(Instant now) {
        return db.write("expiring queued messages", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM hub_c2d WHERE expires_at <= ?")) {
                ps.setLong(1, now.toEpochMilli());
                return ps.executeUpdate();
            }
        });
    }
}
