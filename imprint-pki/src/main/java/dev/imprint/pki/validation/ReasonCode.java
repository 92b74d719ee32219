package dev.imprint.pki.validation;

/**
 * Stable reason codes of refusals. The names are part of the public contract: they appear in
 * logs, metrics, API errors and {@code imprint verify --json}; add, never rename.
 */
public enum ReasonCode {
    // step 1
    MALFORMED,
    BAD_POSSESSION_SIGNATURE,
    WEAK_KEY,
    UNSUPPORTED_ALGORITHM,
    NO_POSSESSION_PROOF,
    // step 2
    NO_TRUST_ANCHORS,
    UNKNOWN_ISSUER,
    BAD_SIGNATURE,
    EXPIRED,
    NOT_YET_VALID,
    NOT_A_CA,
    PATH_LENGTH_EXCEEDED,
    CHAIN_TOO_DEEP,
    KEY_USAGE,
    WRONG_EKU,
    NAME_CONSTRAINTS,
    UNKNOWN_CRITICAL_EXTENSION,
    POLICY,
    INVALID_PATH,
    PATH_BUILDING_LIMIT,
    // step 3
    REVOKED,
    CRL_STALE,
    CRL_UNAVAILABLE,
    CRL_INVALID,
    OCSP_UNAVAILABLE,
    // step 4
    NO_IDENTITY,
    IDENTITY_MISMATCH,
    // step 5
    NOT_AUTHORIZED,
    INTERNAL_ERROR
}
