package dev.imprint.dps;

/**
 * A refusal of the provisioning service at the protocol level (HTTP status above 300, or an
 * MQTT error answer): the device gets the status, an Azure-style integer {@code errorCode} and
 * the stable {@link #reason()} (a {@link DpsReason} name, or a validator
 * {@code ReasonCode} name when the certificate was refused).
 */
public class DpsException extends RuntimeException {
    private final String reason;
    private final int httpStatus;
    private final int retryAfterSeconds;

    public DpsException(String reason, int httpStatus, String message, int retryAfterSeconds) {
        super(message, null, false, false);
        this.reason = reason;
        this.httpStatus = httpStatus;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public DpsException(DpsReason reason, String message) {
        this(reason.name(), reason.httpStatus(), message, 0);
    }

    /** The stable reason code. */
    public String reason() {
        return reason;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** Azure-style error code: HTTP status times 1000 plus a small number. */
    public int errorCode() {
        return DpsReason.azureCode(reason, httpStatus);
    }

    /** Seconds the device should wait (429), 0 when not given. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
