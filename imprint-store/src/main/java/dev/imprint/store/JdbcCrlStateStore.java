package dev.imprint.store;

import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * CRL numbers and the current full and delta CRL per CA: one row per CA in {@code crl_state},
 * the DER in {@code crl_chunks}.
 *
 * <p>Why chunks rather than one BYTEA/BLOB value: a full CRL of a large fleet is tens of
 * megabytes. Written as one value in one transaction it would hold SQLite's single writer (and
 * so every issuance and revocation of the node) for the whole write, and make PostgreSQL's
 * driver build the whole value in memory twice over. In chunks of {@value #CHUNK} bytes, each
 * its own short transaction, other writers slip in between; the new CRL stays invisible until
 * one small update of {@code crl_state} makes it current, so readers see the old CRL or the new
 * one, never a mix. A CRL of one chunk (every delta, most full CRLs) is written and made current
 * in a single transaction.
 */
final class JdbcCrlStateStore implements CrlStateStore {
    static final int CHUNK = 1 << 20;

    private final Db db;

    JdbcCrlStateStore(Db db) {
        this.db = db;
    }

    @Override
    public long nextCrlNumber(String ca) {
        // One upsert in a committed transaction: the number is durable before it is used, so a
        // crash can skip numbers but never hand one out twice.
        return db.write("allocating a CRL number for " + ca, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO crl_state (ca, crl_number) VALUES (?, 1)"
                    + " ON CONFLICT (ca) DO UPDATE SET crl_number = crl_state.crl_number + 1 RETURNING crl_number")) {
                ps.setString(1, ca);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    @Override
    public Heads heads(String ca) {
        return db.readCached("reading the CRL heads of " + ca, "SELECT full_crl_number, full_revocation_seq, full_this_update,"
                + " delta_crl_number, delta_base_number, delta_revocation_seq, delta_this_update FROM crl_state WHERE ca = ?", ps -> {
                    ps.setString(1, ca);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            return Heads.NONE;
                        }
                        rs.getLong(1);
                        Published full = rs.wasNull() ? null
                                : new Published(ca, Kind.FULL, rs.getLong(1), 0, rs.getLong(2), Instant.ofEpochMilli(rs.getLong(3)));
                        rs.getLong(4);
                        Published delta = rs.wasNull() ? null
                                : new Published(ca, Kind.DELTA, rs.getLong(4), rs.getLong(5), rs.getLong(6), Instant.ofEpochMilli(rs.getLong(7)));
                        return new Heads(full, delta);
                    }
                });
    }

    @Override
    public Optional<Stored> current(String ca, Kind kind) {
        String p = prefix(kind);
        // one statement: the row's number and the chunks it points to come from one snapshot
        String sql = "SELECT s." + p + "_crl_number, " + (kind == Kind.DELTA ? "s.delta_base_number" : "0") + ", s." + p
                + "_revocation_seq, s." + p + "_this_update, k.bytes FROM crl_state s JOIN crl_chunks k ON k.ca = s.ca"
                + " AND k.kind = ? AND k.crl_number = s." + p + "_crl_number WHERE s.ca = ? ORDER BY k.idx";
        return db.read("reading the " + p + " CRL of " + ca, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, p);
                ps.setString(2, ca);
                try (ResultSet rs = ps.executeQuery()) {
                    Published meta = null;
                    ByteArrayOutputStream der = new ByteArrayOutputStream();
                    while (rs.next()) {
                        if (meta == null) {
                            meta = new Published(ca, kind, rs.getLong(1), rs.getLong(2), rs.getLong(3), Instant.ofEpochMilli(rs.getLong(4)));
                        }
                        der.writeBytes(rs.getBytes(5));
                    }
                    return meta == null ? Optional.<Stored>empty() : Optional.of(new Stored(meta, der.toByteArray()));
                }
            }
        });
    }

    @Override
    public boolean publish(Published crl, byte[] der) {
        String what = "publishing " + prefix(crl.kind()) + " CRL " + crl.crlNumber() + " of " + crl.ca();
        int chunks = Math.max(1, (der.length + CHUNK - 1) / CHUNK);
        if (chunks == 1) {
            return db.write(what, c -> {
                insertChunk(c, crl, 0, der);
                return makeCurrent(c, crl);
            });
        }
        for (int i = 0; i < chunks; i++) {
            byte[] part = Arrays.copyOfRange(der, i * CHUNK, Math.min(der.length, (i + 1) * CHUNK));
            int idx = i;
            db.write(what + " (chunk " + idx + ")", c -> {
                insertChunk(c, crl, idx, part);
                return null;
            });
        }
        return db.write(what, c -> makeCurrent(c, crl));
    }

    private static void insertChunk(Connection c, Published crl, int idx, byte[] bytes) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO crl_chunks (ca, kind, crl_number, idx, bytes) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, crl.ca());
            ps.setString(2, prefix(crl.kind()));
            ps.setLong(3, crl.crlNumber());
            ps.setInt(4, idx);
            ps.setBytes(5, bytes);
            ps.executeUpdate();
        }
    }

    /**
     * Points the CA's row at the new CRL when it is newer (and, for a delta, still based on the
     * current full CRL); then drops the chunks no reader can reach any more: older CRLs of the
     * kind once the new one is current, the new one's own when it lost.
     */
    private static boolean makeCurrent(Connection c, Published crl) throws SQLException {
        int updated;
        if (crl.kind() == Kind.FULL) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO crl_state (ca, crl_number, full_crl_number,"
                    + " full_revocation_seq, full_this_update) VALUES (?, ?, ?, ?, ?)"
                    + " ON CONFLICT (ca) DO UPDATE SET full_crl_number = excluded.full_crl_number,"
                    + " full_revocation_seq = excluded.full_revocation_seq, full_this_update = excluded.full_this_update,"
                    + " crl_number = CASE WHEN crl_state.crl_number < excluded.crl_number"
                    + " THEN excluded.crl_number ELSE crl_state.crl_number END"
                    + " WHERE crl_state.full_crl_number IS NULL OR crl_state.full_crl_number < excluded.full_crl_number")) {
                ps.setString(1, crl.ca());
                ps.setLong(2, crl.crlNumber());
                ps.setLong(3, crl.crlNumber());
                ps.setLong(4, crl.revocationSeq());
                ps.setLong(5, crl.thisUpdate().toEpochMilli());
                updated = ps.executeUpdate();
            }
        } else {
            try (PreparedStatement ps = c.prepareStatement("UPDATE crl_state SET delta_crl_number = ?, delta_base_number = ?,"
                    + " delta_revocation_seq = ?, delta_this_update = ?,"
                    + " crl_number = CASE WHEN crl_number < ? THEN ? ELSE crl_number END"
                    + " WHERE ca = ? AND full_crl_number = ? AND (delta_crl_number IS NULL OR delta_crl_number < ?)")) {
                ps.setLong(1, crl.crlNumber());
                ps.setLong(2, crl.baseNumber());
                ps.setLong(3, crl.revocationSeq());
                ps.setLong(4, crl.thisUpdate().toEpochMilli());
                ps.setLong(5, crl.crlNumber());
                ps.setLong(6, crl.crlNumber());
                ps.setString(7, crl.ca());
                ps.setLong(8, crl.baseNumber());
                ps.setLong(9, crl.crlNumber());
                updated = ps.executeUpdate();
            }
        }
        boolean current = updated > 0;
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM crl_chunks WHERE ca = ? AND kind = ? AND crl_number "
                + (current ? "<" : "=") + " ?")) {
            ps.setString(1, crl.ca());
            ps.setString(2, prefix(crl.kind()));
            ps.setLong(3, crl.crlNumber());
            ps.executeUpdate();
        }
        return current;
    }

    private static String prefix(Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }
}
