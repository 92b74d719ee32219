package dev.imprint.dps;

/**
 * Stable reason codes of the provisioning service's own refusals (certificate refusals use
 * the validator's {@code ReasonCode} names: REVOKED, EXPIRED, UNKNOWN_ISSUER ...). Add, never rename.
 */
public enum DpsReason {
    /** The TLS client sent no certificate. */
    CLIENT_CERT_REQUIRED(401),
    /** The registration ID asked for is not the certificate's identity. */
    REGISTRATION_ID_MISMATCH(401),
    /** No enabled or disabled enrollment covers the device (its CA, ID pattern, individual ID). */
    NO_ENROLLMENT(401),
    /** The enrollment that covers the device is disabled (operation status {@code disabled}). */
    ENROLLMENT_DISABLED(403),
    /** The device was disabled in the registry (operation status {@code disabled}). */
    DEVICE_DISABLED(403),
    /** None of the enrollment's hubs exists. */
    NO_HUB(400),
    /** The allocation webhook refused the device. */
    WEBHOOK_REFUSED(403),
    /** The allocation webhook failed or timed out and the fallback is to refuse. */
    WEBHOOK_FAILED(500),
    /** The CA refused the CSR sent with the registration. */
    CSR_REFUSED(400),
    /** Over the per-device or overall limit; Retry-After says when to come back. */
    RATE_LIMITED(429),
    /** Malformed request (body, parameters, ID scope). */
    BAD_REQUEST(400),
    /** Unknown ID scope. */
    UNKNOWN_ID_SCOPE(404),
    /** Unknown or expired operation ID. */
    OPERATION_NOT_FOUND(404),
    /** A bug or an unavailable store; fail closed. */
    INTERNAL_ERROR(500),
    /** The request announced or sent a body over the 64 KiB limit. */
    BODY_TOO_LARGE(413),
    /** The request's headers were over the listener's limit (8 KiB), answered before any route. */
    HEADERS_TOO_LARGE(431),
    /** The request line (method, path, version) was over the listener's limit (4 KiB). */
    REQUEST_LINE_TOO_LONG(414);

    private final int httpStatus;

    DpsReason(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** Azure-style integer error code: HTTP status * 1000 + the reason's position (for certificate refusals, 1). */
    static int azureCode(String reason, int httpStatus) {
        for (DpsReason r : values()) {
            if (r.name().equals(reason)) {
                return httpStatus * 1000 + r.ordinal() + 1;
            }
        }
        return httpStatus * 1000 + 1;
    }

    /** This reason's Azure-style integer error code. */
    public int errorCode() {
        return azureCode(name(), httpStatus);
    }
}
