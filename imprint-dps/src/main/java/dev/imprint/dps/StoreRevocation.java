package dev.imprint.dps;

import dev.imprint.pki.validation.ReasonCode;
import dev.imprint.pki.validation.RevocationSource;
import dev.imprint.pki.validation.RevocationStatus;
import dev.imprint.store.CertificateStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * Revocation for attestation: certificates issued by Imprint's own CAs are looked up in the
 * CA's store (a revocation counts at once; an unknown serial fails closed, since the CA records
 * everything it issues); certificates of other configured CAs go to {@code others} (a CRL cache).
 */
public final class StoreRevocation implements RevocationSource {
    private final CertificateStore certificates;
    private final List<X509Certificate> ownCas;
    private final RevocationSource others;

    /**
     * @param ownCas the CA certificates whose issued certificates are all in the store (and the root)
     * @param others the source for every other issuer
     */
    public StoreRevocation(CertificateStore certificates, List<X509Certificate> ownCas, RevocationSource others) {
        this.certificates = certificates;
        this.ownCas = List.copyOf(ownCas);
        this.others = others;
    }

    @Override
    public RevocationStatus status(X509Certificate cert, X509Certificate issuer, Instant at) {
        if (!ownCas.contains(issuer)) {
            return others.status(cert, issuer, at);
        }
        if (ownCas.contains(cert)) {
            return RevocationStatus.good(); // an issuing CA under Imprint's root: not in the device table
        }
        return certificates.findBySerial(cert.getSerialNumber().toString(16))
                .map(r -> r.revoked()
                        ? RevocationStatus.revoked(r.revocationReason() == null ? 0 : r.revocationReason(), r.revokedAt())
                        : RevocationStatus.good())
                .orElseGet(() -> RevocationStatus.unknown(ReasonCode.CRL_UNAVAILABLE, "serial not recorded by this CA"));
    }
}
