package dev.imprint.pki.validation;

import java.security.cert.X509Certificate;
import java.time.Instant;

/**
 * Step 3: answers whether a certificate was revoked at a given time. The default is
 * {@link dev.imprint.pki.validation.crl.CrlCache}; the CA plugs in one backed by its own store.
 *
 * <p>Implementations fail closed: when they cannot tell (no CRL, CRL too old, CRL that does
 * not verify) they return {@link RevocationStatus.Unknown} with the reason code, which the
 * validator turns into a refusal. They must be thread-safe and should not block on the
 * network in the calling thread when a cached answer exists.
 */
@FunctionalInterface
public interface RevocationSource {

    /** Checks nothing: every certificate is good. Only for tests and explicit opt-outs. */
    RevocationSource NONE = (cert, issuer, at) -> RevocationStatus.good();

    /**
     * @param cert the certificate to check (leaf or intermediate)
     * @param issuer the certificate that issued it (from the built path)
     * @param at the validation time
     */
    RevocationStatus status(X509Certificate cert, X509Certificate issuer, Instant at);

    /**
     * As {@link #status(X509Certificate, X509Certificate, Instant)}, with access to other
     * certificates that may have signed a CRL (separate CRL keys, indirect CRLs). The validator
     * calls this one; the default ignores {@code signers}.
     */
    default RevocationStatus status(X509Certificate cert, X509Certificate issuer, Instant at, CrlSigners signers) {
        return status(cert, issuer, at);
    }
}
