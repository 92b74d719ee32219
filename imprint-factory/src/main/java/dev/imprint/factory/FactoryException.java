package dev.imprint.factory;

/**
 * A station failure with a stable code: the CA's reason code (ID_NOT_ALLOWED, STATION_REVOKED,
 * QUOTA_EXCEEDED ...) or the station's own (CA_UNREACHABLE, JOURNAL_IO, CREDENTIAL_INVALID ...).
 */
public final class FactoryException extends RuntimeException {
    private final String code;

    public FactoryException(String code, String message) {
        super(message);
        this.code = code;
    }

    public FactoryException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** Whether the whole line must stop: the station may not obtain anything more. */
    public boolean stopsTheLine() {
        return switch (code) {
            case "STATION_REVOKED", "STATION_UNKNOWN", "AUTH_REFUSED", "AUTH_REQUIRED", "QUOTA_EXCEEDED", "CA_UNREACHABLE",
                    "JOURNAL_IO", "CREDENTIAL_INVALID" -> true;
            default -> false;
        };
    }
}
