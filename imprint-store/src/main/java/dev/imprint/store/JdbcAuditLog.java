package dev.imprint.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The audit chain in {@code audit_log}, with its head (last seq and hash) in the one-row
 * {@code audit_head} table. Every append locks the head row first (SELECT ... FOR UPDATE on
 * PostgreSQL; BEGIN IMMEDIATE holds the whole file on SQLite), so concurrent appenders, in
 * this process or another, queue up and the chain stays linear.
 */
final class JdbcAuditLog implements AuditLog {
    private static final String COLUMNS = "seq, at, type, actor, subject, details, prev_hash, hash";

    private final Db db;

    JdbcAuditLog(Db db) {
        this.db = db;
    }

    @Override
    public AuditEvent append(String type, String actor, String subject, String detailsJson) {
        return appendAll(List.of(new Entry(type, actor, subject, detailsJson))).get(0);
    }

    @Override
    public List<AuditEvent> appendAll(List<Entry> entries) {
        requireComplete(entries);
        if (entries.isEmpty()) {
            return List.of();
        }
        return db.write("appending " + entries.size() + " audit entries", c -> appendIn(c, db.dialect, entries));
    }

    static void requireComplete(List<Entry> entries) {
        for (Entry e : entries) {
            Objects.requireNonNull(e, "audit entry");
            Objects.requireNonNull(e.type(), "audit type");
            Objects.requireNonNull(e.actor(), "audit actor");
        }
    }

    /**
     * Appends entries inside the caller's write transaction, so that a state change and its audit
     * entries commit (or roll back) together. Locks the chain head until commit: call it as the
     * last statement of the transaction, so the head is held only for the commit itself and every
     * transaction takes it after its other locks (no lock-order cycle with the head).
     */
    static List<AuditEvent> appendIn(Connection c, Dialect dialect, List<Entry> entries) throws SQLException {
        long seq;
        String prev;
        try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash FROM audit_head WHERE id = 1" + dialect.forUpdate);
                ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("audit_head row is missing");
            }
            seq = rs.getLong(1);
            prev = rs.getString(2);
        }
        Instant at = Instant.ofEpochMilli(System.currentTimeMillis());
        List<AuditEvent> out = new ArrayList<>(entries.size());
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Entry e : entries) {
                seq++;
                String hash = AuditChain.hash(seq, at, e.type(), e.actor(), e.subject(), e.detailsJson(), prev);
                AuditEvent event = new AuditEvent(seq, at, e.type(), e.actor(), e.subject(), e.detailsJson(), prev, hash);
                JdbcCertificateStore.bind(ps, seq, at.toEpochMilli(), e.type(), e.actor(), e.subject(), e.detailsJson(), prev, hash);
                ps.addBatch();
                out.add(event);
                prev = hash;
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1")) {
            ps.setLong(1, seq);
            ps.setString(2, prev);
            ps.executeUpdate();
        }
        return out;
    }

    @Override
    public List<AuditEvent> list(long afterSeq, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative");
        }
        return db.read("listing audit entries", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?")) {
                ps.setLong(1, afterSeq);
                ps.setInt(2, limit);
                List<AuditEvent> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public List<AuditEvent> latest(java.util.Collection<String> actors, long beforeSeq, int limit) {
        List<Object> args = new ArrayList<>(actors);
        args.add(beforeSeq);
        args.add(limit);
        String who = actors.isEmpty() ? "" : "actor IN (" + String.join(", ", java.util.Collections.nCopies(actors.size(), "?")) + ") AND ";
        return db.list("listing the latest audit entries", "SELECT " + COLUMNS + " FROM audit_log WHERE " + who
                + "seq < ? ORDER BY seq DESC LIMIT ?", JdbcAuditLog::read, args.toArray());
    }

    @Override
    public Optional<AuditBreak> verify() {
        return db.snapshot("verifying the audit chain", this::verify);
    }

    private Optional<AuditBreak> verify(Connection c) throws SQLException {
        long expected = 1;
        String prev = "";
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM audit_log ORDER BY seq")) {
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    AuditEvent e = read(rs);
                    if (e.seq() != expected) {
                        return broken(expected, "entry " + expected + " is missing (deleted)");
                    }
                    if (!prev.equals(e.prevHash())) {
                        return broken(e.seq(), "does not link to entry " + (expected - 1)
                                + " (an entry before it was deleted, inserted, reordered or rewritten)");
                    }
                    if (!AuditChain.hash(e).equals(e.hash())) {
                        return broken(e.seq(), "content does not match its hash (entry edited)");
                    }
                    prev = e.hash();
                    expected++;
                }
            }
        }
        long last = expected - 1;
        try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash FROM audit_head WHERE id = 1");
                ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return broken(last + 1, "the chain head record is missing");
            }
            if (rs.getLong(1) != last) {
                return rs.getLong(1) > last
                        ? broken(last + 1, "entries " + (last + 1) + " to " + rs.getLong(1) + " are missing (log truncated)")
                        : broken(rs.getLong(1) + 1, "entries after the recorded chain head " + rs.getLong(1) + " were added");
            }
            if (!rs.getString(2).equals(prev)) {
                return broken(last, "hash does not match the recorded chain head (entry rewritten)");
            }
        }
        return Optional.empty();
    }

    private static Optional<AuditBreak> broken(long seq, String why) {
        return Optional.of(new AuditBreak(seq, why));
    }

    private static AuditEvent read(ResultSet rs) throws SQLException {
        return new AuditEvent(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8));
    }
}
