package dev.imprint.mqtt;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One accepted connection, on the application side. Every method is called on the
 * connection's event loop, one at a time.
 */
public interface MqttSession {

    /** A stage that is already complete, for publishes handled synchronously. */
    CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    /**
     * A PUBLISH from the client (QoS 0 or 1). The transport sends the PUBACK when the stage
     * completes, in the order the publishes arrived (so complete it only once the message is
     * safe: stored, for telemetry); while the in-flight window's worth of publishes wait it
     * stops reading from this client (and only this one). Throw or fail the stage with
     * {@link MqttRefusal} to end the connection with that reason code, unacknowledged (a
     * publish on a foreign topic, a store that failed); any other failure is INTERNAL_ERROR.
     */
    CompletionStage<Void> onPublish(String topic, int qos, byte[] payload);

    /**
     * As {@link #onPublish(String, int, byte[])}, with what an MQTT 5 PUBLISH carries beside
     * ({@link PublishProperties#NONE} for 3.1.1); the transport calls this one. On MQTT 5 a
     * refused QoS 1 publish is answered with a PUBACK carrying the refusal's reason code
     * ({@link Mqtt5Reasons}) and the connection stays; on 3.1.1, and for QoS 0, it ends.
     */
    default CompletionStage<Void> onPublish(String topic, int qos, byte[] payload, PublishProperties properties) {
        return onPublish(topic, qos, payload);
    }

    /**
     * A SUBSCRIBE: one granted QoS (0 or 1) or {@code 0x80} (failure) per filter, in order.
     * The SUBACK is written right after this returns, so work the session posts to the event
     * loop from here (a queued message to deliver) reaches the client after the SUBACK.
     */
    List<Integer> onSubscribe(List<Subscription> filters);

    void onUnsubscribe(List<String> filters);

    /** The connection ended (by either side, for any reason); called exactly once. */
    void onClose(String reason);

    /** A requested topic filter and QoS. */
    record Subscription(String filter, int qos) {}
}
