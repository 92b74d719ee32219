package dev.imprint.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * The revocation transaction. The per-CA counter row is incremented with an upsert and stays
 * locked until commit, so revocations of one CA commit in seq order: a reader that has seen
 * seq N has also seen every seq below N, which is what delta CRLs ("revoked after N") rely on.
 */
final class Revocations {
    private Revocations() {}

    static Optional<CertificateStore.Revocation> revoke(Connection c, Dialect dialect, String serialHex, int reason, Instant at)
            throws SQLException {
        String ca;
        try (PreparedStatement ps = c.prepareStatement("SELECT ca, revoked_at, revocation_reason, revocation_seq"
                + " FROM certificates WHERE serial = ?" + dialect.forUpdate)) {
            ps.setString(1, serialHex);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                ca = rs.getString(1);
                long revokedAt = rs.getLong(2);
                if (!rs.wasNull()) { // permanent: the first revocation stands
                    return Optional.of(new CertificateStore.Revocation(
                            new RevokedEntry(rs.getLong(4), serialHex, Instant.ofEpochMilli(revokedAt), rs.getInt(3)), false));
                }
            }
        }
        long seq;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO revocation_counters (ca, last_seq) VALUES (?, 1)"
                + " ON CONFLICT (ca) DO UPDATE SET last_seq = revocation_counters.last_seq + 1 RETURNING last_seq")) {
            ps.setString(1, ca);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                seq = rs.getLong(1);
            }
        }
        Instant when = Instant.ofEpochMilli(at.toEpochMilli());
        try (PreparedStatement ps = c.prepareStatement("UPDATE certificates SET revoked_at = ?, revocation_reason = ?,"
                + " revocation_seq = ? WHERE serial = ?")) {
            ps.setLong(1, when.toEpochMilli());
            ps.setInt(2, reason);
            ps.setLong(3, seq);
            ps.setString(4, serialHex);
            ps.executeUpdate();
        }
        return Optional.of(new CertificateStore.Revocation(new RevokedEntry(seq, serialHex, when, reason), true));
    }
}
