package dev.imprint.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Optional;

/** CRL numbers and the last full CRL per CA, one row per CA in {@code crl_state}. */
final class JdbcCrlStateStore implements CrlStateStore {
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
    public Optional<PublishedCrl> lastFull(String ca) {
        return db.read("reading the last full CRL of " + ca, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT full_crl_number, full_revocation_seq, full_this_update,"
                    + " full_der FROM crl_state WHERE ca = ? AND full_crl_number IS NOT NULL")) {
                ps.setString(1, ca);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<PublishedCrl>empty();
                    }
                    return Optional.of(new PublishedCrl(ca, rs.getLong(1), rs.getLong(2),
                            Instant.ofEpochMilli(rs.getLong(3)), rs.getBytes(4)));
                }
            }
        });
    }

    /** Keeps the newer CRL when two are saved out of order (a lower CRL number never replaces a higher one). */
    @Override
    public void saveFull(PublishedCrl crl) {
        db.write("saving the full CRL of " + crl.ca(), c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO crl_state (ca, crl_number, full_crl_number,"
                    + " full_revocation_seq, full_this_update, full_der) VALUES (?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (ca) DO UPDATE SET full_crl_number = excluded.full_crl_number,"
                    + " full_revocation_seq = excluded.full_revocation_seq, full_this_update = excluded.full_this_update,"
                    + " full_der = excluded.full_der, crl_number = CASE WHEN crl_state.crl_number < excluded.crl_number"
                    + " THEN excluded.crl_number ELSE crl_state.crl_number END"
                    + " WHERE crl_state.full_crl_number IS NULL OR crl_state.full_crl_number < excluded.full_crl_number")) {
                ps.setString(1, crl.ca());
                ps.setLong(2, crl.crlNumber());
                ps.setLong(3, crl.crlNumber());
                ps.setLong(4, crl.revocationSeq());
                ps.setLong(5, crl.thisUpdate().toEpochMilli());
                ps.setBytes(6, crl.der());
                return ps.executeUpdate();
            }
        });
    }
}
