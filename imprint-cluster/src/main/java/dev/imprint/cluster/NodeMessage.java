package dev.imprint.cluster;

/**
 * One message between nodes about one device.
 *
 * @param type what is asked or answered (see the constants)
 * @param from the sending node, where answers go
 * @param deviceId the device concerned
 * @param epoch the session epoch the sender saw in the directory: a node that no longer holds
 *     that session answers {@link #DEVICE_MOVED} at once instead of acting on it (fencing)
 * @param correlation ties an answer to its request (direct methods); empty when unused
 * @param body small payload (a method's request or answer); empty when unused; at most
 *     {@link #MAX_BODY_BYTES}: the bus carries signals and small answers, bulk data lives in tables
 */
public record NodeMessage(String type, String from, String deviceId, long epoch, String correlation, byte[] body) {
    /** The device's c2d queue has new messages: deliver them if its session is here. */
    public static final String C2D_READY = "C2D_READY";
    /** The twin's desired properties changed: push them. */
    public static final String DESIRED_CHANGED = "DESIRED_CHANGED";
    /** A back-end shadow change: deliver its events (delta, documents) to the thing's AWS-dialect session. */
    public static final String SHADOW_EVENTS = "SHADOW_EVENTS";
    /** Invoke a direct method; answered with METHOD_RESULT or DEVICE_MOVED / DEVICE_OFFLINE. */
    public static final String METHOD_INVOKE = "METHOD_INVOKE";
    public static final String METHOD_RESULT = "METHOD_RESULT";
    /** The device was disabled, moved or deleted: re-check its registry record, end the session if it may no longer stay. */
    public static final String DEVICE_CHANGED = "DEVICE_CHANGED";
    /** Another node took the device's session over: close this node's session of that epoch. */
    public static final String SESSION_TAKEN = "SESSION_TAKEN";
    /** The receiver does not hold the session of that epoch (answer to a request). */
    public static final String DEVICE_MOVED = "DEVICE_MOVED";
    /** The receiver holds no session of the device at all (answer to a request). */
    public static final String DEVICE_OFFLINE = "DEVICE_OFFLINE";

    /** The largest body a message may carry (64 KiB), on every bus alike. */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    /** @throws IllegalArgumentException when the body is larger than {@link #MAX_BODY_BYTES} */
    public NodeMessage {
        correlation = correlation == null ? "" : correlation;
        body = body == null ? new byte[0] : body;
        if (body.length > MAX_BODY_BYTES) {
            throw new IllegalArgumentException("a node message body may hold at most " + MAX_BODY_BYTES + " bytes; this " + type
                    + " for " + deviceId + " has " + body.length);
        }
    }

    public static NodeMessage of(String type, String from, String deviceId, long epoch) {
        return new NodeMessage(type, from, deviceId, epoch, "", new byte[0]);
    }
}
