package dev.imprint.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/** The node-to-node message table {@code node_messages}. */
final class JdbcNodeInbox implements NodeInbox {
    private final Db db;

    JdbcNodeInbox(Db db) {
        this.db = db;
    }

    @Override
    public long append(Entry m, String notifyChannel) {
        return db.write("sending " + m.type() + " to node " + m.toNode(), c -> {
            long seq;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO node_messages (to_node, type, from_node, device_id, epoch,"
                    + " correlation, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                JdbcCertificateStore.bind(ps, m.toNode(), m.type(), m.fromNode(), m.deviceId(), m.epoch(), m.correlation(), m.body(),
                        m.createdAt().toEpochMilli());
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    seq = keys.getLong(1);
                }
            }
            if (notifyChannel != null && db.dialect == Dialect.POSTGRESQL) {
                notify(c, notifyChannel, Long.toString(seq));
            }
            return seq;
        });
    }

    @Override
    public List<Entry> pending(String node, int limit) {
        return db.list("reading the inbox of node " + node, "SELECT seq, to_node, type, from_node, device_id, epoch, correlation, body,"
                + " created_at FROM node_messages WHERE to_node = ? ORDER BY seq LIMIT ?",
                rs -> new Entry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getLong(6),
                        rs.getString(7), rs.getBytes(8), Instant.ofEpochMilli(rs.getLong(9))),
                node, limit);
    }

    @Override
    public int delete(String node, Collection<Long> seqs) {
        if (seqs.isEmpty()) {
            return 0;
        }
        return db.write("deleting handled messages of node " + node, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM node_messages WHERE to_node = ? AND seq = ?")) {
                for (long seq : seqs) {
                    ps.setString(1, node);
                    ps.setLong(2, seq);
                    ps.addBatch();
                }
                int n = 0;
                for (int count : ps.executeBatch()) {
                    n += Math.max(count, 0);
                }
                return n;
            }
        });
    }

    @Override
    public int removeNode(String node) {
        return db.update("removing the inbox of node " + node, "DELETE FROM node_messages WHERE to_node = ?", node);
    }

    @Override
    public int removeUnaddressed(Instant before) {
        return db.update("removing messages to unknown nodes", "DELETE FROM node_messages WHERE created_at < ?"
                + " AND NOT EXISTS (SELECT 1 FROM nodes WHERE nodes.name = node_messages.to_node)", before.toEpochMilli());
    }

    @Override
    public void ring(String channel, String payload) {
        if (db.dialect == Dialect.POSTGRESQL) {
            db.write("notifying " + channel, c -> {
                notify(c, channel, payload);
                return null;
            });
        }
    }

    private static void notify(Connection c, String channel, String payload) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, channel);
            ps.setString(2, payload);
            ps.executeQuery().close();
        }
    }
}
