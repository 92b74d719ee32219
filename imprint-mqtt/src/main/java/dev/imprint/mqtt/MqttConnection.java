package dev.imprint.mqtt;

import java.net.SocketAddress;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The application's handle on one client connection: outbound publishes with the in-flight
 * window and a bounded queue, and the one way to end the connection. Safe to call from any
 * thread (work hops onto the connection's event loop).
 */
public interface MqttConnection {

    /**
     * Sends a PUBLISH. QoS 1 completes when the client's PUBACK arrives; QoS 0 when written,
     * or fails at once when the client is not keeping up (QoS 0 is dropped, never queued).
     * Fails when the connection closes first. A client whose queue overflows the limits is
     * disconnected with SLOW_CONSUMER.
     */
    CompletionStage<Void> publish(String topic, int qos, byte[] payload);

    /**
     * Sends a QoS 0 PUBLISH that answers one of the client's own requests (twin GET or PATCH).
     * Never dropped for a slow client: answers are bounded by the client's requests in flight,
     * which the inbound window already limits, and a lost answer would leave the client waiting.
     */
    CompletionStage<Void> reply(String topic, byte[] payload);

    /** Ends the connection through the one disconnect path, logging and counting {@code reason}. */
    void close(String reason, String detail);

    boolean isActive();

    /** The connection's event loop: work posted here runs in order with its packets. */
    Executor executor();

    /** The client's address: the source in the balancer's PROXY header when behind one, else the TCP peer. */
    SocketAddress remoteAddress();
}
