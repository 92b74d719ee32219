package dev.imprint.ca.revocation;

import dev.imprint.store.CertificateStore.Pruned;
import dev.imprint.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;

/**
 * Retention of expired device certificates: without it the store grows with every issuance
 * (~1.5 KB a certificate) for as long as the CA runs. A row goes once its certificate has been
 * expired for the retention: no validator accepts it any more, and RFC 5280 (3.3) lets a CRL
 * drop an entry after the certificate's expiry, so neither the CRLs nor OCSP need it (OCSP then
 * answers "unknown" for it). Only device certificates go: station, operator, admin, node and
 * server rows are read by serial as long as their account exists. Audit entries stay: the chain
 * never refers to rows, only to serials in its own text.
 */
final class ExpiredCertificates {
    /** Rows per transaction: a batch takes the write lock for milliseconds, so issuance never waits long. */
    static final int BATCH = 1000;
    /** Batches per CA and run: a backlog (retention just shortened) drains over several runs. */
    static final int MAX_BATCHES = 100;

    private final Store store;
    private final Duration retention;
    private final MeterRegistry meters;

    /** @param meters counts rows pruned per CA ({@code imprint.ca.certificates.pruned}); may be null */
    ExpiredCertificates(Store store, Duration retention, MeterRegistry meters) {
        this.store = store;
        this.retention = retention;
        this.meters = meters;
    }

    /** Deletes the device certificates of {@code ca} expired before {@code now} minus the retention, batch by batch. */
    Pruned prune(String ca, Instant now) {
        Instant cutoff = now.minus(retention);
        int rows = 0;
        int revoked = 0;
        for (int i = 0; i < MAX_BATCHES; i++) {
            Pruned p = store.certificates().pruneExpired(ca, cutoff, BATCH);
            rows += p.rows();
            revoked += p.revoked();
            if (p.rows() < BATCH) {
                break;
            }
        }
        if (meters != null) {
            meters.counter("imprint.ca.certificates.pruned", "ca", ca).increment(rows);
        }
        return new Pruned(rows, revoked);
    }
}
