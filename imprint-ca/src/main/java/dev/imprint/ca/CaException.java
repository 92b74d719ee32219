package dev.imprint.ca;

/**
 * The one exception family of the CA: every refusal carries a stable reason code and the HTTP
 * status it maps to. The server turns it into {@code {"code": ..., "message": ...}}.
 * When thrown from issuance, nothing was issued and nothing recorded.
 */
public class CaException extends RuntimeException {

    /** Reason codes and their HTTP status. Names are a public contract: add, never rename. */
    public enum Reason {
        CSR_MALFORMED(400),
        CSR_BAD_SIGNATURE(400),
        KEY_WEAK(400),
        KEY_UNSUPPORTED(400),
        ID_MISSING(400),
        ID_INVALID(400),
        ID_NOT_ALLOWED(403),
        IDENTITY_MISMATCH(403),
        QUOTA_EXCEEDED(403),
        RATE_EXCEEDED(429),
        STATION_UNKNOWN(403),
        STATION_REVOKED(403),
        STATION_EXISTS(409),
        DEVICE_HAS_LIVE_CERTIFICATE(409),
        CSR_ASKS_FOR_CA(400),
        CSR_FORBIDDEN_NAMES(400),
        AUTH_REQUIRED(401),
        AUTH_REFUSED(403),
        UNKNOWN_CA(404),
        NOT_FOUND(404),
        BAD_REQUEST(400),
        UNAVAILABLE(503),
        CA_KEY_UNREADABLE(500),
        INTERNAL_ERROR(500);

        private final int httpStatus;

        Reason(int httpStatus) {
            this.httpStatus = httpStatus;
        }

        public int httpStatus() {
            return httpStatus;
        }
    }

    private final Reason reason;

    public CaException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public CaException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** The stable reason code, e.g. {@code CSR_BAD_SIGNATURE}. */
    public String code() {
        return reason.name();
    }

    public int httpStatus() {
        return reason.httpStatus();
    }
}
