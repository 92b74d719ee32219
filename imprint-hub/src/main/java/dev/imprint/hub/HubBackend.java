package dev.imprint.hub;

import dev.imprint.store.C2dMessage;
import dev.imprint.store.DeviceRecord;
import dev.imprint.store.PresenceRecord;
import dev.imprint.store.Store;
import dev.imprint.store.TelemetryRecord;
import dev.imprint.store.TwinRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The back-end operations (admin API and CLI) over the hubs of this process and the shared
 * store: recent telemetry and presence, cloud-to-device messages (queued in the store while the
 * device is offline, delivered QoS 1 when it subscribes), twin desired properties (stored, and
 * pushed to a connected device), and direct methods (need a connected device).
 *
 * <p>Failures are {@link HubException}s with a code and an HTTP status.
 */
public final class HubBackend {
    private final Store store;
    private final List<Hub> hubs;

    public HubBackend(Store store, List<Hub> hubs) {
        this.store = store;
        this.hubs = List.copyOf(hubs);
    }

    public List<Hub> hubs() {
        return hubs;
    }

    /** The device as the hubs see it. @throws HubException DEVICE_NOT_FOUND */
    public DeviceView device(String deviceId) {
        DeviceRecord d = registered(deviceId);
        Optional<PresenceRecord> p = store.presence().find(deviceId);
        boolean connected = session(deviceId).isPresent() || p.map(PresenceRecord::connected).orElse(false);
        Instant lastSeen = session(deviceId).map(s -> s.lastSeen).orElse(p.map(PresenceRecord::lastSeen).orElse(null));
        return new DeviceView(deviceId, d.hub(), d.enabled(), connected, p.map(PresenceRecord::hub).orElse(null), lastSeen);
    }

    /** @param connectedTo the hub it is (or was last) connected to, null when never */
    public record DeviceView(String deviceId, String assignedHub, boolean enabled, boolean connected, String connectedTo, Instant lastSeen) {}

    /** The newest {@code last} messages, newest first. @throws HubException DEVICE_NOT_FOUND */
    public List<TelemetryRecord> telemetry(String deviceId, int last) {
        registered(deviceId);
        return store.telemetry().recent(deviceId, last);
    }

    /**
     * Queues a message and delivers it at once when the device is connected and subscribed.
     *
     * @param ttl how long it waits for an offline device; null for the hub default
     * @throws HubException DEVICE_NOT_FOUND
     */
    public C2dMessage sendC2d(String deviceId, byte[] body, Map<String, String> properties, Duration ttl) {
        registered(deviceId);
        Instant now = Instant.now();
        Duration t = ttl != null ? ttl : hubs.isEmpty() ? Duration.ofDays(1) : hubs.get(0).settings().c2dTtl();
        com.fasterxml.jackson.databind.node.ObjectNode props = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        properties.forEach(props::put);
        C2dMessage m = store.cloudToDevice().enqueue(new C2dMessage(0, deviceId, UUID.randomUUID().toString(), props.toString(), body, now, now.plus(t)));
        session(deviceId).ifPresent(DeviceSession::deliverC2d);
        return m;
    }

    public TwinRecord twin(String deviceId) {
        registered(deviceId);
        return store.twins().get(deviceId);
    }

    /**
     * Merges a desired-properties patch (RFC 7396) and pushes it to the connected device.
     *
     * @throws HubException BAD_REQUEST when the patch is not a JSON object; DEVICE_NOT_FOUND
     */
    public TwinRecord updateDesired(String deviceId, String patchJson) {
        registered(deviceId);
        TwinRecord t;
        try {
            t = store.twins().patchDesired(deviceId, patchJson);
        } catch (IllegalArgumentException e) {
            throw new HubException("BAD_REQUEST", 400, e.getMessage());
        }
        TwinRecord after = t;
        session(deviceId).ifPresent(s -> s.pushDesired(after, patchJson));
        return t;
    }

    /**
     * Invokes a direct method; completes with the device's answer, or fails with HubException
     * DEVICE_OFFLINE (not connected here or not listening) or METHOD_TIMEOUT.
     */
    public CompletableFuture<MethodResult> invokeMethod(String deviceId, String name, byte[] payload, Duration timeout) {
        registered(deviceId);
        if (name == null || name.isBlank() || name.contains("/") || name.contains("#") || name.contains("+")) {
            throw new HubException("BAD_REQUEST", 400, "invalid method name '" + name + "'");
        }
        return session(deviceId).map(s -> s.invoke(name, payload, timeout))
                .orElseGet(() -> CompletableFuture.failedFuture(new HubException("DEVICE_OFFLINE", 404, "device " + deviceId + " is not connected")));
    }

    /** Ends the sessions on this certificate in every hub of the process (the CA's revocation listener). */
    public void certificateRevoked(String serialHex) {
        hubs.forEach(h -> h.certificateRevoked(serialHex));
    }

    private Optional<DeviceSession> session(String deviceId) {
        for (Hub h : hubs) {
            Optional<DeviceSession> s = h.session(deviceId);
            if (s.isPresent()) {
                return s;
            }
        }
        return Optional.empty();
    }

    private DeviceRecord registered(String deviceId) {
        return store.deviceRegistry().find(deviceId)
                .orElseThrow(() -> new HubException("DEVICE_NOT_FOUND", 404, "no registered device " + deviceId));
    }
}
