package dev.imprint.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Child process of the kill -9 scenario: records batches forever, each with its audit entry in
 * the same transaction (subject: the batch's serial prefix), and prints one line per batch only
 * after {@code insertAll} (and the CRL number) returned, i.e. what a client would have received.
 * The parent kills it with SIGKILL at some point.
 *
 * <p>Arguments: JDBC URL, user, password.
 */
public final class CrashWriter {
    private CrashWriter() {}

    public static void main(String[] args) {
        Store store = JdbcStore.open(args[0], args[1], args[2]);
        Instant now = Instant.parse("2030-01-01T00:00:00Z");
        for (int b = 0; ; b++) {
            List<CertificateRecord> batch = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String serial = "%08x%04x".formatted(b, i);
                batch.add(StoreContractTest.cert(serial, "operational", "dev-" + serial, now));
            }
            store.certificates().insertAll(batch, new AuditLog.Entry("cert.issued", "station:crash", "%08x".formatted(b), "{}"));
            long crl = store.crls().nextCrlNumber("operational");
            System.out.println("ok " + b + " " + crl);
            System.out.flush();
        }
    }
}
