package dev.imprint.store;

import java.time.Instant;

/**
 * One issued certificate, as recorded before it leaves the CA.
 *
 * @param serialHex lower-case hex serial, unique across all CAs (primary key)
 * @param ca issuing CA name ("manufacturing", "operational", "service")
 * @param deviceId the identity the certificate carries (device ID, station or service name)
 * @param kind what it is for: "device", "station", "admin", "server"
 * @param keyFingerprint lower-case hex SHA-256 of the SubjectPublicKeyInfo
 * @param requestedBy who asked: "station:NAME", "reenroll:SERIAL", "admin", "init"
 * @param der the certificate's DER encoding
 * @param revokedAt null while not revoked
 * @param revocationReason RFC 5280 CRLReason code, or null
 */
public record CertificateRecord(
        String serialHex,
        String ca,
        String deviceId,
        String kind,
        Instant notBefore,
        Instant notAfter,
        String keyFingerprint,
        String requestedBy,
        Instant issuedAt,
        byte[] der,
        Instant revokedAt,
        Integer revocationReason) {

    public boolean revoked() {
        return revokedAt != null;
    }

    public boolean liveAt(Instant t) {
        return !revoked() && !t.isBefore(notBefore) && t.isBefore(notAfter);
    }
}
