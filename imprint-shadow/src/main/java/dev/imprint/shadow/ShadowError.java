package dev.imprint.shadow;

/**
 * Why a shadow request was refused: AWS's status code and message (what devices and the admin
 * API see) per reason; the reason's name is ours (logs, metrics, the admin API's {@code reason}).
 */
public enum ShadowError {
    INVALID_JSON(400, "Invalid JSON"),
    MISSING_STATE(400, "Missing required node: state"),
    STATE_NOT_OBJECT(400, "State node must be an object"),
    DESIRED_NOT_OBJECT(400, "Desired node must be an object"),
    REPORTED_NOT_OBJECT(400, "Reported node must be an object"),
    INVALID_VERSION(400, "Invalid version"),
    INVALID_CLIENT_TOKEN(400, "Invalid clientToken"),
    TOO_DEEP(400, "JSON contains too many levels of nesting; maximum is %d"),
    /** An unknown member of {@code state}, a null inside an array, or a key starting with {@code $} (the twin's). */
    INVALID_NODE(400, "State contains an invalid node"),
    INVALID_SHADOW_NAME(400, "Invalid shadow name"),
    UNAUTHORIZED(401, "Unauthorized"),
    /** A request on another thing's topics. */
    FOREIGN_THING(403, "Forbidden"),
    /** Creating one more named shadow than a thing may have. */
    SHADOW_LIMIT(403, "Forbidden: a thing may have at most %d named shadows"),
    THING_NOT_FOUND(404, "Thing not found"),
    NO_SHADOW(404, "No shadow exists with name: '%s'"),
    VERSION_CONFLICT(409, "Version conflict"),
    PAYLOAD_TOO_LARGE(413, "The payload exceeds the maximum size allowed"),
    /** The desired or reported section after the merge is bigger than the limit. */
    STATE_TOO_LARGE(413, "The payload exceeds the maximum size allowed"),
    UNSUPPORTED_ENCODING(415, "Unsupported documented encoding; supported encoding is UTF-8"),
    /** Too many requests in flight on one connection (the MQTT endpoint counts them). */
    THROTTLED(429, "Too Many Requests"),
    INTERNAL(500, "Internal service failure");

    private final int code;
    private final String message;

    ShadowError(int code, String message) {
        this.code = code;
        this.message = message;
    }

    /** AWS's status code: the {@code code} of the rejection and the HTTP status. */
    public int code() {
        return code;
    }

    /** AWS's message, with the argument filled in where it has one. */
    public String message(Object arg) {
        return message.contains("%") ? String.format(message, arg) : message;
    }
}
