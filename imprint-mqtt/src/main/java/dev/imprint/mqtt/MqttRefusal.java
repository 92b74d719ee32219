package dev.imprint.mqtt;

/**
 * Thrown (or used to fail a stage) by an {@link MqttSession} to end the connection with a
 * stable reason code, logged and counted by the {@link Disconnector}. A value, no stack trace.
 */
public final class MqttRefusal extends RuntimeException {
    private final String reason;

    public MqttRefusal(String reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
