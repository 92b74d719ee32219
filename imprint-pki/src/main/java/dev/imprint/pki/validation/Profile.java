package dev.imprint.pki.validation;

/** Which certificate profile step 2 enforces on top of RFC 5280. */
public enum Profile {
    /** RFC 5280 path validation only (device identities, PKITS). */
    RFC5280,
    /**
     * RFC 5280 plus the CA/Browser Forum baseline checks a TLS client applies to a server
     * chain (x509-limbo's SERVER kind): no CA leaf, SANs required, no weak keys ...
     */
    WEB_PKI
}
