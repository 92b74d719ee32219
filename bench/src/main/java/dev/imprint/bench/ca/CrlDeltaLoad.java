package dev.imprint.bench.ca;

import dev.imprint.ca.Authority;
import dev.imprint.ca.CaSettings;
import dev.imprint.ca.IssuanceRequest;
import dev.imprint.ca.IssuedCertificate;
import dev.imprint.pki.Pem;
import dev.imprint.store.JdbcStore;
import dev.imprint.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;

/**
 * CRL publication after a revocation with {@code n} (default 1,000,000) revoked entries of the
 * manufacturing CA in the store. The entries are loaded with plain SQL into the SQLite file
 * (the store API revokes one certificate per transaction, which is right for operation and
 * too slow to set up a million), then the CA is opened (building the big full CRL), one
 * certificate is issued and revoked, and the time until the delta CRL lists it is printed, as
 * well as the time until the background full CRL lists it.
 *
 * <p>{@code java -Xmx3g -cp bench/target/benchmarks.jar dev.imprint.bench.ca.CrlDeltaLoad [n]}
 */
public final class CrlDeltaLoad {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = Files.createTempDirectory("imprint-bench-crl");
        CaSettings settings = CaSettings.defaults(dir.resolve("pki"), "bench".toCharArray(), "http://127.0.0.1:8080");
        try (Store store = JdbcStore.sqlite(dir.resolve("imprint.db")); Authority ca = Authority.open(settings, store)) {
            ca.stations().create("line", "dev-.*", 0, 0, "bench");
        }
        long t0 = System.nanoTime();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("imprint.db"))) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO certificates (serial, ca, device_id, kind, not_before,"
                    + " not_after, key_fingerprint, requested_by, issued_at, der, revoked_at, revocation_reason, revocation_seq)"
                    + " VALUES (?, 'manufacturing', ?, 'device', 0, 4102444800000, '00', 'bench', 0, x'00', ?, 1, ?)")) {
                long now = System.currentTimeMillis();
                for (int i = 1; i <= n; i++) {
                    ps.setString(1, String.format("7%039x", i));
                    ps.setString(2, "old-" + i);
                    ps.setLong(3, now - 86_400_000L);
                    ps.setLong(4, i);
                    ps.addBatch();
                    if (i % 10_000 == 0) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO revocation_counters (ca, last_seq) VALUES ('manufacturing', " + n + ")"
                        + " ON CONFLICT (ca) DO UPDATE SET last_seq = " + n);
            }
            c.commit();
        }
        System.out.printf("loaded %d revoked entries in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);

        try (Store store = JdbcStore.sqlite(dir.resolve("imprint.db"))) {
            long t1 = System.nanoTime();
            try (Authority ca = Authority.open(settings.withCrlNextUpdate(java.time.Duration.ofHours(24)), store)) {
                X509CRL full = Pem.readCrl(ca.revocation().crl("manufacturing"));
                System.out.printf("open with a full CRL of %d entries (%d bytes) built: %.2f s%n",
                        full.getRevokedCertificates().size(), ca.revocation().crl("manufacturing").length,
                        (System.nanoTime() - t1) / 1e9);
                for (int round = 0; round < 3; round++) {
                    IssuedCertificate victim = ca.issue(IssuanceRequest.byStation("line", BenchCsrs.make("dev-" + round + "-", 1)[0]));
                    long r0 = System.nanoTime();
                    ca.revocation().revoke(victim.serialHex(), 1, "bench");
                    long revoked = System.nanoTime();
                    while (Pem.readCrl(ca.revocation().deltaCrl("manufacturing")).getRevokedCertificate(victim.certificate().getSerialNumber()) == null) {
                        Thread.sleep(1);
                    }
                    long deltaSeen = System.nanoTime();
                    byte[] seen = null;
                    while (true) {
                        byte[] now = ca.revocation().crl("manufacturing");
                        // parse a new full CRL once (53 MB at 1M entries), not on every poll
                        if (now != seen) {
                            seen = now;
                            if (Pem.readCrl(now).getRevokedCertificate(victim.certificate().getSerialNumber()) != null) {
                                break;
                            }
                        }
                        Thread.sleep(20);
                    }
                    long fullSeen = System.nanoTime();
                    System.out.printf("round %d: revoke returned after %.1f ms; delta CRL lists it after %.1f ms; full CRL (%d entries) after %.2f s%n",
                            round, (revoked - r0) / 1e6, (deltaSeen - r0) / 1e6, n + round + 1, (fullSeen - r0) / 1e9);
                }
            }
        }
    }
}
