package dev.imprint.ca;

import dev.imprint.store.JdbcStore;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs in a child JVM (SOFTHSM2_CONF set): opens the CA on the token and issues one certificate. */
public final class Pkcs11Child {
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[1]);
        Files.createDirectories(data);
        CaSettings s = new CaSettings(data.resolve("pki"), null, new Pkcs11Settings(Path.of(args[0]), "1234".toCharArray()),
                "http://127.0.0.1:8080", java.time.Duration.ofDays(365), java.time.Duration.ofDays(30),
                java.time.Duration.ofDays(365), java.time.Duration.ofHours(1), null, null);
        try (var store = JdbcStore.sqlite(data.resolve("imprint.db")); Authority ca = Authority.open(s, store)) {
            boolean first = ca.stations().find("line").isEmpty();
            if (first) {
                ca.stations().create("line", "dev-[0-9]+", 0, 0, "test");
            }
            String id = first ? "dev-0" : "dev-1";
            IssuedCertificate c = ca.issue(IssuanceRequest.byStation("line", CaFixture.csr(id)));
            c.certificate().verify(ca.hierarchy().issuer("manufacturing").getPublicKey());
            ca.hierarchy().issuer("manufacturing").verify(ca.hierarchy().root().getPublicKey());
            System.out.println("ISSUED " + id + " by " + c.certificate().getIssuerX500Principal());
        }
    }
}
