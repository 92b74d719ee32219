package dev.imprint.server.access;

/** A refused operator-account request, with its wire code and HTTP status (answered as {@code {"code","message"}}). */
public final class AccessException extends RuntimeException {
    private final String code;
    private final int status;

    public AccessException(String code, int status, String message) {
        super(message);
        this.code = code;
        this.status = status;
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }
}
