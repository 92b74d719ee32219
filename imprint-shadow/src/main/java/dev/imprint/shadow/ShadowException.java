package dev.imprint.shadow;

/** A refused shadow request: the reason, AWS's message, and the request's client token (null when it had none or it was unreadable). */
public final class ShadowException extends RuntimeException {
    private final ShadowError error;
    private final String clientToken;

    public ShadowException(ShadowError error, String message, String clientToken) {
        super(message);
        this.error = error;
        this.clientToken = clientToken;
    }

    ShadowException(ShadowError error, String clientToken) {
        this(error, error.message(null), clientToken);
    }

    public ShadowError error() {
        return error;
    }

    public String clientToken() {
        return clientToken;
    }

    ShadowException withToken(String token) {
        return clientToken != null || token == null ? this : new ShadowException(error, getMessage(), token);
    }
}
