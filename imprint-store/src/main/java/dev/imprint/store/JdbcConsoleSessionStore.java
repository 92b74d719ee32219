package dev.imprint.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Optional;

/** Console links and sessions in {@code console_links} and {@code console_sessions} (migration V8). */
final class JdbcConsoleSessionStore implements ConsoleSessionStore {
    private final Db db;

    JdbcConsoleSessionStore(Db db) {
        this.db = db;
    }

    @Override
    public void saveLink(String tokenHash, Grant grant) {
        db.update("saving a console login link", "INSERT INTO console_links (token_hash, actor, expires_at) VALUES (?, ?, ?)",
                tokenHash, grant.actor(), grant.expiresAt().toEpochMilli());
    }

    @Override
    public Optional<Grant> takeLink(String tokenHash) {
        // DELETE ... RETURNING: the row goes to the one transaction that deletes it; a concurrent
        // one (PostgreSQL: waits on the row lock, then finds it gone; SQLite: one writer at a time)
        // gets no row. Single use holds across nodes without a separate "used" flag.
        return db.write("redeeming a console login link", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM console_links WHERE token_hash = ? RETURNING actor, expires_at")) {
                ps.setString(1, tokenHash);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Grant(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)))) : Optional.<Grant>empty();
                }
            }
        });
    }

    @Override
    public int liveLinks(Instant now) {
        return db.list("counting console login links", "SELECT COUNT(*) FROM console_links WHERE expires_at > ?",
                rs -> rs.getInt(1), now.toEpochMilli()).get(0);
    }

    @Override
    public void saveSession(String idHash, Grant grant) {
        db.update("saving a console session", "INSERT INTO console_sessions (id_hash, actor, expires_at) VALUES (?, ?, ?)",
                idHash, grant.actor(), grant.expiresAt().toEpochMilli());
    }

    @Override
    public Optional<Grant> findSession(String idHash) {
        return db.list("reading a console session", "SELECT actor, expires_at FROM console_sessions WHERE id_hash = ?",
                rs -> new Grant(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2))), idHash).stream().findFirst();
    }

    @Override
    public void endSession(String idHash) {
        db.update("ending a console session", "DELETE FROM console_sessions WHERE id_hash = ?", idHash);
    }

    @Override
    public int purgeExpired(Instant now) {
        long at = now.toEpochMilli();
        return db.write("deleting expired console links and sessions", c -> {
            int n = 0;
            for (String table : new String[] {"console_links", "console_sessions"}) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE expires_at <= ?")) {
                    ps.setLong(1, at);
                    n += ps.executeUpdate();
                }
            }
            return n;
        });
    }
}
