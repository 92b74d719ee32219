package dev.imprint.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The node table {@code nodes}. */
final class JdbcNodeStore implements NodeStore {
    /** {@code lease_until} of a row declared dead: never live, never revived. */
    private static final long DEAD = 0;
    private static final String COLUMNS = "name, roles, address, pid, started_at, heartbeat_at, lease_until";

    private final Db db;

    JdbcNodeStore(Db db) {
        this.db = db;
    }

    @Override
    public void register(NodeRow row) {
        try {
            db.write("registering node " + row.name(), c -> {
                Optional<NodeRow> held = holder(c, row.name());
                if (held.isPresent() && held.get().live(row.heartbeatAt()) && !held.get().sameProcess(row)) {
                    throw new NodeNameTakenException(held.get());
                }
                // a plain INSERT for a new name: of two processes racing for it, the second fails on
                // the primary key instead of overwriting the first
                String sql = held.isEmpty()
                        ? "INSERT INTO nodes (roles, address, pid, started_at, heartbeat_at, lease_until, name) VALUES (?, ?, ?, ?, ?, ?, ?)"
                        : "UPDATE nodes SET roles = ?, address = ?, pid = ?, started_at = ?, heartbeat_at = ?, lease_until = ? WHERE name = ?";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    JdbcCertificateStore.bind(ps, String.join(",", new TreeSet<>(row.roles())), row.address(), row.pid(),
                            ms(row.startedAt()), ms(row.heartbeatAt()), ms(row.leaseUntil()), row.name());
                    return ps.executeUpdate();
                }
            });
        } catch (Db.DuplicateKeyException raced) {
            // two processes inserted the same new name at once: the other one won
            throw new NodeNameTakenException(list().stream().filter(r -> r.name().equals(row.name())).findFirst().orElse(row));
        }
    }

    private Optional<NodeRow> holder(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM nodes WHERE name = ?" + db.dialect.forUpdate)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    @Override
    public boolean heartbeat(NodeRow self, Instant at, Instant leaseUntil) {
        return db.update("heartbeat of node " + self.name(), "UPDATE nodes SET heartbeat_at = ?, lease_until = ?"
                + " WHERE name = ? AND pid = ? AND started_at = ? AND lease_until <> ?",
                ms(at), ms(leaseUntil), self.name(), self.pid(), ms(self.startedAt()), DEAD) == 1;
    }

    @Override
    public List<NodeRow> list() {
        return db.list("listing nodes", "SELECT " + COLUMNS + " FROM nodes ORDER BY name", JdbcNodeStore::read);
    }

    @Override
    public boolean remove(NodeRow self) {
        return db.update("removing node " + self.name(), "DELETE FROM nodes WHERE name = ? AND pid = ? AND started_at = ?",
                self.name(), self.pid(), ms(self.startedAt())) == 1;
    }

    @Override
    public boolean declareDead(NodeRow dead, Instant now) {
        return db.update("declaring node " + dead.name() + " dead", "UPDATE nodes SET lease_until = ?"
                + " WHERE name = ? AND pid = ? AND started_at = ? AND lease_until <= ?",
                DEAD, dead.name(), dead.pid(), ms(dead.startedAt()), ms(now)) == 1;
    }

    @Override
    public boolean removeDead(NodeRow dead) {
        return db.update("removing dead node " + dead.name(), "DELETE FROM nodes WHERE name = ? AND pid = ? AND started_at = ? AND lease_until = ?",
                dead.name(), dead.pid(), ms(dead.startedAt()), DEAD) == 1;
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
