package dev.imprint.pki.validation;

import java.time.Instant;
import java.util.Objects;

/** What a {@link RevocationSource} knows about one certificate. */
public sealed interface RevocationStatus {

    static RevocationStatus good() {
        return Good.INSTANCE;
    }

    /** @param reason the CRLReason code (0 unspecified, 1 keyCompromise ...), -1 when absent */
    static RevocationStatus revoked(int reason, Instant revokedAt) {
        return new Revoked(reason, revokedAt);
    }

    /** @param code why the status is unknown: CRL_STALE, CRL_UNAVAILABLE, CRL_INVALID, OCSP_UNAVAILABLE */
    static RevocationStatus unknown(ReasonCode code, String detail) {
        return new Unknown(code, detail);
    }

    enum Good implements RevocationStatus { INSTANCE }

    record Revoked(int reason, Instant revokedAt) implements RevocationStatus {}

    record Unknown(ReasonCode code, String detail) implements RevocationStatus {
        public Unknown {
            Objects.requireNonNull(code, "code");
        }
    }
}
