package dev.imprint.ca;

import dev.imprint.ca.est.EstService;
import dev.imprint.ca.hierarchy.CaHierarchy;
import dev.imprint.ca.revocation.RevocationService;
import dev.imprint.ca.station.StationService;
import dev.imprint.store.AuditLog;
import dev.imprint.store.CertificateRecord;
import dev.imprint.store.Store;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The certificate authority: the CA hierarchy, the issuance pipeline, stations, revocation
 * (CRL, delta CRL, OCSP) and EST request handling, over one {@link Store}.
 *
 * <p>Device IDs travel in the subject CN and in a SAN URI {@code urn:imprint:device:ID}.
 * A certificate is durably recorded (group commit) before any method returns it.
 */
public final class Authority implements AutoCloseable {

    private Authority() {}

    /**
     * Loads the hierarchy from {@code settings.pkiDir()}, or creates it on first run (root CA,
     * issuing CAs "manufacturing", "operational", "service"). A second open reuses everything.
     *
     * @throws CaException INTERNAL_ERROR when the folder is unreadable, the passphrase is wrong
     *     or the token cannot be used
     */
    public static Authority open(CaSettings settings, Store store) {
        throw new UnsupportedOperationException("not yet");
    }

    public CaHierarchy hierarchy() {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * Issues a TLS server certificate for one of Imprint's endpoints from the service CA
     * (EKU serverAuth and clientAuth, key generated here, EC P-256).
     *
     * @param dnsNames SAN DNS names; @param ipAddresses SAN IP addresses (literal IPv4/IPv6)
     * @throws CaException BAD_REQUEST for an unparsable address or an empty name list
     */
    public Credential issueServerCertificate(String name, List<String> dnsNames, List<String> ipAddresses) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Issues an admin client credential (service CA, EKU clientAuth, SAN URI {@code urn:imprint:admin:NAME}). */
    public Credential issueAdminCredential(String name) {
        throw new UnsupportedOperationException("not yet");
    }

    public StationService stations() {
        throw new UnsupportedOperationException("not yet");
    }

    public EstService est() {
        throw new UnsupportedOperationException("not yet");
    }

    public RevocationService revocation() {
        throw new UnsupportedOperationException("not yet");
    }

    /** A page of issued certificates, newest first; {@code deviceIdOrNull} null means all. */
    public List<CertificateRecord> certificates(String deviceIdOrNull, int limit, int offset) {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * Issues one certificate and returns it once durably recorded. Blocks the caller until the
     * group commit that carries it; prefer {@link #issueAsync} when many run at once.
     *
     * @throws CaException with the refusal's reason code; nothing is issued then
     */
    public IssuedCertificate issue(IssuanceRequest request) {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * Checks, builds and signs on the calling thread, then completes when the certificate is
     * durably recorded. Refusals complete the future exceptionally with a {@link CaException}.
     */
    public CompletableFuture<IssuedCertificate> issueAsync(IssuanceRequest request) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Recomputes the audit hash chain; empty when intact, else the first broken entry. */
    public Optional<AuditLog.AuditBreak> verifyAudit() {
        throw new UnsupportedOperationException("not yet");
    }

    /** Stops background CRL work and the recorder, after recording what is queued. Does not close the store. */
    @Override
    public void close() {}
}
