package dev.imprint.device.cloud;

import java.time.Duration;

/**
 * A refusal or failure on the cloud side, with a stable reason code: the server's code when it
 * gave one (REVOKED, NO_ENROLLMENT, RATE_LIMITED, CONNACK_NOT_AUTHORIZED ...), else one of the
 * SDK's own (UNREACHABLE, TLS_FAILED, TIMEOUT, BAD_RESPONSE, KEY_MISMATCH, CLOSED).
 */
public final class CloudException extends RuntimeException {
    private final String code;
    private final Duration retryAfter;
    private final boolean permanent;

    public CloudException(String code, String message, Duration retryAfter, boolean permanent) {
        super(code + ": " + message);
        this.code = code;
        this.retryAfter = retryAfter;
        this.permanent = permanent;
    }

    /** A transient failure (worth retrying with back-off). */
    public static CloudException transientFailure(String code, String message) {
        return new CloudException(code, message, null, false);
    }

    /** A refusal that retrying with the same credential will not change. */
    public static CloudException refused(String code, String message) {
        return new CloudException(code, message, null, true);
    }

    public String code() {
        return code;
    }

    /** What the server asked for (Retry-After), or null. */
    public Duration retryAfter() {
        return retryAfter;
    }

    public boolean permanent() {
        return permanent;
    }

    /** The CloudException inside {@code t} (unwrapping completion wrappers), or a transient one describing it. */
    public static CloudException of(Throwable t) {
        Throwable c = t;
        while ((c instanceof java.util.concurrent.CompletionException || c instanceof java.util.concurrent.ExecutionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof CloudException ce) {
            return ce;
        }
        if (c instanceof javax.net.ssl.SSLException) {
            return transientFailure("TLS_FAILED", String.valueOf(c.getMessage()));
        }
        if (c instanceof java.net.ConnectException || c instanceof io.netty.channel.ConnectTimeoutException) {
            return transientFailure("UNREACHABLE", String.valueOf(c.getMessage()));
        }
        if (c instanceof java.util.concurrent.TimeoutException) {
            return transientFailure("TIMEOUT", String.valueOf(c.getMessage()));
        }
        return transientFailure("IO_ERROR", c.toString());
    }
}
