package dev.imprint.hub;

import dev.imprint.pki.validation.ReasonCode;
import dev.imprint.pki.validation.RevocationSource;
import dev.imprint.pki.validation.RevocationStatus;
import dev.imprint.store.CertificateStore;

/**
 * Step 3 for hubs sharing the CA's store: a certificate is good when this CA recorded it and has
 * not revoked it; an unknown serial fails closed (CRL_UNAVAILABLE), so a certificate that did not
 * come from this CA never passes. Issuing CAs themselves (the anchors) are not asked.
 */
public final class StoreRevocationSource {
    private StoreRevocationSource() {}

    public static RevocationSource of(CertificateStore certificates) {
        return (cert, issuer, at) -> certificates.findBySerial(cert.getSerialNumber().toString(16))
                .map(r -> r.revoked()
                        ? RevocationStatus.revoked(r.revocationReason() == null ? 0 : r.revocationReason(), r.revokedAt())
                        : RevocationStatus.good())
                .orElseGet(() -> RevocationStatus.unknown(ReasonCode.CRL_UNAVAILABLE, "certificate not recorded by this CA"));
    }
}
