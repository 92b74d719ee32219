package dev.imprint.store;

import java.sql.PreparedStatement;
import java.util.function.Supplier;

/** {@link SharedSecrets} in {@code shared_secrets} (migration V14). */
final class JdbcSharedSecrets implements SharedSecrets {
    private final Db db;

    JdbcSharedSecrets(Db db) {
        this.db = db;
    }

    @Override
    public byte[] secret(String name, Supplier<byte[]> fresh) {
        byte[] candidate = fresh.get();
        // the first writer wins on every dialect; a loser reads the winner's bytes back
        return db.write("reading shared secret " + name, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO shared_secrets (name, secret, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING")) {
                ps.setString(1, name);
                ps.setBytes(2, candidate);
                ps.setLong(3, System.currentTimeMillis());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT secret FROM shared_secrets WHERE name = ?")) {
                ps.setString(1, name);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBytes(1);
                }
            }
        });
    }
}
