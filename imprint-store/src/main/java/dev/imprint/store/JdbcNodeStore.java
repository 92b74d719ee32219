package dev.imprint.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.List;
import java.util.TreeSet;

/**
 * The node table {@code nodes}. Every time that decides liveness is the database's: {@link #now}
 * is an SQL expression evaluated by the server, so no statement takes a node's clock.
 */
final class JdbcNodeStore implements NodeStore {
    /** {@code lease_until} of a row declared dead: never live, never revived. */
    private static final long DEAD = 0;
    private static final String COLUMNS = "name, roles, address, pid, started_at, heartbeat_at, lease_until";
    private static final String SAME_PROCESS = "name = ? AND pid = ? AND started_at = ?";

    private final Db db;
    /** The database's clock in epoch milliseconds, as an SQL expression. */
    private final String now;

    JdbcNodeStore(Db db) {
        this.db = db;
        this.now = db.dialect == Dialect.POSTGRESQL
                // statement_timestamp(), not now(): now() is the start of the transaction, which may have
                // waited on a row lock; unlike clock_timestamp() it is one value in the whole statement,
                // so heartbeat_at and lease_until written together differ by the lease exactly
                ? "CAST(EXTRACT(EPOCH FROM statement_timestamp()) * 1000 AS BIGINT)"
                // SQLite: one machine opens the file, so its clock is the only one there is ('now' is
                // one value within a statement too)
                : "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
    }

    /** A row with the database's clock read in the same statement. */
    private record Held(NodeRow row, Instant now) {
        boolean live() {
            return row.live(now);
        }
    }

    @Override
    public NodeRow register(NodeRow self, Duration lease) {
        try {
            return db.write("registering node " + self.name(), c -> {
                Held held = holder(c, self.name());
                if (held != null && held.live() && !held.row().sameProcess(self)) {
                    throw new NodeNameTakenException(held.row(), held.now());
                }
                // a plain INSERT for a new name: of two processes racing for it, the second fails on
                // the primary key instead of overwriting the first
                String sql = held == null
                        ? "INSERT INTO nodes (roles, address, pid, started_at, heartbeat_at, lease_until, name) VALUES (?, ?, ?, ?, "
                                + now + ", " + now + " + ?, ?)"
                        : "UPDATE nodes SET roles = ?, address = ?, pid = ?, started_at = ?, heartbeat_at = " + now + ", lease_until = "
                                + now + " + ? WHERE name = ?";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    JdbcCertificateStore.bind(ps, String.join(",", new TreeSet<>(self.roles())), self.address(), self.pid(),
                            ms(self.startedAt()), lease.toMillis(), self.name());
                    ps.executeUpdate();
                }
                clearHoldings(c, self.name());
                return holder(c, self.name()).row();
            });
        } catch (Db.DuplicateKeyException raced) {
            // two processes inserted the same new name at once: the other one won
            NodeRow winner = list().stream().filter(r -> r.name().equals(self.name())).findFirst().orElse(self);
            throw new NodeNameTakenException(winner, now());
        }
    }

    private Held holder(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + ", " + now + " FROM nodes WHERE name = ?" + db.dialect.forUpdate)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Held(read(rs), Instant.ofEpochMilli(rs.getLong(8))) : null;
            }
        }
    }

    /** Deletes what the node named {@code name} holds besides its row: session entries and inbox. */
    private static void clearHoldings(Connection c, String name) throws SQLException {
        for (String sql : List.of("DELETE FROM sessions WHERE node = ?", "DELETE FROM node_messages WHERE to_node = ?")) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
        }
    }

    @Override
    public boolean heartbeat(NodeRow self, Duration lease) {
        return db.update("heartbeat of node " + self.name(), "UPDATE nodes SET heartbeat_at = " + now + ", lease_until = " + now + " + ?"
                + " WHERE " + SAME_PROCESS + " AND lease_until <> ?",
                lease.toMillis(), self.name(), self.pid(), ms(self.startedAt()), DEAD) == 1;
    }

    @Override
    public List<NodeRow> list() {
        return db.list("listing nodes", "SELECT " + COLUMNS + " FROM nodes ORDER BY name", JdbcNodeStore::read);
    }

    @Override
    public Instant now() {
        return Instant.ofEpochMilli(db.list("reading the database clock", "SELECT " + now, rs -> rs.getLong(1)).get(0));
    }

    @Override
    public boolean remove(NodeRow self) {
        return db.write("removing node " + self.name(), c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM nodes WHERE " + SAME_PROCESS)) {
                JdbcCertificateStore.bind(ps, self.name(), self.pid(), ms(self.startedAt()));
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            clearHoldings(c, self.name());
            return true;
        });
    }

    @Override
    public boolean declareDead(NodeRow dead) {
        return db.update("declaring node " + dead.name() + " dead", "UPDATE nodes SET lease_until = ? WHERE " + SAME_PROCESS
                + " AND lease_until <= " + now, DEAD, dead.name(), dead.pid(), ms(dead.startedAt())) == 1;
    }

    @Override
    public boolean evict(NodeRow gone) {
        return db.update("evicting node " + gone.name(), "UPDATE nodes SET lease_until = ? WHERE " + SAME_PROCESS,
                DEAD, gone.name(), gone.pid(), ms(gone.startedAt())) == 1;
    }

    @Override
    public boolean removeDead(NodeRow dead) {
        return db.write("removing dead node " + dead.name(), c -> {
            // the row lock orders this against a re-registration of the name: either that waits and
            // inserts afresh, or this finds the row live again and leaves the new claims alone
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM nodes WHERE " + SAME_PROCESS + " AND lease_until = ?"
                    + db.dialect.forUpdate)) {
                JdbcCertificateStore.bind(ps, dead.name(), dead.pid(), ms(dead.startedAt()), DEAD);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                }
            }
            clearHoldings(c, dead.name());
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM nodes WHERE " + SAME_PROCESS)) {
                JdbcCertificateStore.bind(ps, dead.name(), dead.pid(), ms(dead.startedAt()));
                ps.executeUpdate();
            }
            return true;
        });
    }

    @Override
    public int removeOrphanSessions() {
        return db.update("removing sessions of unknown nodes",
                "DELETE FROM sessions WHERE NOT EXISTS (SELECT 1 FROM nodes WHERE nodes.name = sessions.node)");
    }

    private static NodeRow read(ResultSet rs) throws SQLException {
        String roles = rs.getString(2);
        Set<String> set = roles.isEmpty() ? Set.of() : Set.of(roles.split(","));
        return new NodeRow(rs.getString(1), set, rs.getString(3), rs.getLong(4), Instant.ofEpochMilli(rs.getLong(5)),
                Instant.ofEpochMilli(rs.getLong(6)), Instant.ofEpochMilli(rs.getLong(7)));
    }

    private static long ms(Instant t) {
        return t.toEpochMilli();
    }
}
