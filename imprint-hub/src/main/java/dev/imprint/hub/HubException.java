package dev.imprint.hub;

/**
 * A back-end operation that cannot be done, with a stable code and the HTTP status the admin
 * API answers with: {@code DEVICE_NOT_FOUND} 404, {@code DEVICE_OFFLINE} 404 (a direct method
 * needs a connected device listening for methods), {@code METHOD_TIMEOUT} 504,
 * {@code BAD_REQUEST} 400.
 */
public final class HubException extends RuntimeException {
    private final String code;
    private final int httpStatus;

    public HubException(String code, int httpStatus, String message) {
        super(message);
        this.code = code;
        this.httpStatus = httpStatus;
    }

    public String code() {
        return code;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
