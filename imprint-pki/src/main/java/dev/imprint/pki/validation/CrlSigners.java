package dev.imprint.pki.validation;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * What a {@link RevocationSource} may ask of the validation in progress when a CRL is not
 * signed by the certificate's issuer itself (RFC 5280 6.3.3 (f)): a CA's separate CRL-signing
 * key, a key rolled over by a self-issued certificate, or the cRLIssuer of an indirect CRL.
 * Candidates come from the presented certificates and the anchors; one is trusted only when it
 * has its own valid, unrevoked path to the same anchor as the certificate being checked.
 */
public interface CrlSigners {

    /** No other certificates: only the issuer in the path can sign its CRLs. */
    CrlSigners NONE = new CrlSigners() {
        @Override
        public List<X509Certificate> named(X500Principal subject) {
            return List.of();
        }

        @Override
        public boolean trusted(X509Certificate signer, Instant at) {
            return false;
        }
    };

    /** Presented or anchor certificates whose subject is {@code subject}. */
    List<X509Certificate> named(X500Principal subject);

    /**
     * True when {@code signer} has a valid path to the anchor of the path being validated and is
     * not revoked. Never throws; bounded in depth (a signer's own CRLs may need another signer).
     */
    boolean trusted(X509Certificate signer, Instant at);

    /** The trust anchor of the path being validated, or null when not known (direct calls). */
    default X509Certificate anchor() {
        return null;
    }

    /** The key to verify {@code cert}'s signatures with (a DSA key may inherit parameters along the path). */
    default PublicKey keyOf(X509Certificate cert) {
        return cert.getPublicKey();
    }
}
