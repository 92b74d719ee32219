package dev.imprint.device.cloud;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One live connection of a device to its cloud, whatever the dialect: telemetry that completes at
 * the server's acknowledgement, the device document (Azure's twin, AWS's classic shadow) read and
 * reported, and what arrives ({@link Inbound}). Made by a {@link Dialect}; thread-safe.
 */
public interface Session {

    /** What arrives from the server; called on the connection's event-loop thread (do not block). */
    interface Inbound {
        void cloudToDevice(String properties, byte[] body);

        /** A direct method; the returned future completes with (status, JSON payload). */
        CompletableFuture<Map.Entry<Integer, String>> method(String name, byte[] payload);

        /** A desired-state change: a JSON object with the new document version as {@code $version}. */
        void desired(byte[] patch);

        void closed(CloudException why);
    }

    /**
     * Publishes telemetry at QoS 1; completes at the server's PUBACK, fails if the connection ends
     * first (transient) or the server refuses the message (permanent).
     *
     * @param properties application properties, URL-encoded {@code k=v&k2=v2}, may be empty
     */
    CompletableFuture<Void> sendTelemetry(String properties, byte[] body);

    /** Reported state (a JSON merge patch); completes with the new document version (-1 when the server gave none). */
    CompletableFuture<Long> reportProperties(String jsonPatch, Duration timeout);

    /** The device document as Azure's twin JSON: {@code desired} and {@code reported}, each with its {@code $version}. */
    CompletableFuture<byte[]> getTwin(Duration timeout);

    boolean active();

    /** Ends the session politely (DISCONNECT) and closes. */
    CompletableFuture<Void> close();
}
