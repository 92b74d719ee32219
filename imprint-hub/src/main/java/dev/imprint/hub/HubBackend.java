package dev.imprint.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.cluster.NodeBus;
import dev.imprint.cluster.NodeMessage;
import dev.imprint.store.C2dMessage;
import dev.imprint.store.DeviceRecord;
import dev.imprint.store.PresenceRecord;
import dev.imprint.store.SessionDirectory;
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
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The back-end operations (admin API and CLI) of one node, over the shared store and whichever
 * node holds a device's session: recent telemetry and presence, cloud-to-device messages
 * (stored first, then the holder is told C2D_READY; a reconnecting device drains its queue
 * anyway, so nothing is lost to a stale directory), twin desired properties (stored, then
 * DESIRED_CHANGED to the holder, which pushes them in version order), direct methods
 * (METHOD_INVOKE to the holder, METHOD_RESULT back here; a device with no session, or not
 * listening, is answered DEVICE_OFFLINE at once), and device changes (DEVICE_CHANGED: the
 * holder re-checks the registry and ends the session).
 *
 * <p>Runs on any node, with or without hubs (an admin node has none). It owns the node's bus
 * inbox ({@link NodeBus#onMessage}): one backend per node and bus. Failures are
 * {@link HubException}s with a code and an HTTP status.
 */
public final class HubBackend implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HubBackend.class);
    /** How long a c2d or desired doorbell waits for a DEVICE_MOVED before it is forgotten. */
    private static final Duration NOTICE_WAIT = Duration.ofSeconds(5);
    /** A method's answer may take this much longer than its timeout to come back from the holder. */
    private static final Duration METHOD_GRACE = Duration.ofSeconds(2);

    private final Store store;
    private final NodeBus bus;
    private final List<Hub> hubs;
    private final ExecutorService executor;
    private final ExecutorService inboxThread;
    private final NodeRequests requests;

    /**
     * @param bus this node's bus; the backend becomes its inbox handler
     * @param hubs the hubs of this node, started on the same bus (none on a node without hubs)
     */
    public HubBackend(Store store, NodeBus bus, List<Hub> hubs) {
        this.store = store;
        this.bus = bus;
        this.hubs = List.copyOf(hubs);
        // one thread: this node's doorbells to a device leave in the order they were asked for
        // (desired patches in version order, c2d kicks after their commit); each is one indexed read
        this.executor = Executors.newSingleThreadExecutor(r -> daemon(r, "imprint-backend-" + bus.self()));
        this.inboxThread = boundedInbox("imprint-inbox-" + bus.self(), INBOX_LIMIT);
        this.requests = new NodeRequests(bus, store.sessions(), executor);
        // answers leave from the backend's thread, never from the event loop or the JDK's timeout thread that completes a method
        NodeInbox inbox = new NodeInbox(this.hubs, requests, executor);
        bus.onMessage(m -> {
            try {
                // blocks the bus thread while the inbox is full: the bus stops taking rows, which stay in its table
                inboxThread.execute(() -> {
                    try {
                        inbox.handle(m);
                    } catch (RuntimeException e) {
                        LOG.warn("event=node.message_failed type={} device={} msg=\"{}\"", m.type(), m.deviceId(), e.toString());
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // the backend closed after the bus read the message: nothing here can serve it any more
                LOG.debug("event=node.message_after_close type={} device={}", m.type(), m.deviceId());
            }
        });
    }

    /** Messages taken from the bus and not yet handled; when full, the bus thread waits. */
    static final int INBOX_LIMIT = 10_000;

    /** One thread, a bounded queue, and a full queue makes the caller (the bus thread) wait for room instead of dropping. */
    static ExecutorService boundedInbox(String name, int limit) {
        return new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new java.util.concurrent.ArrayBlockingQueue<>(limit),
                r -> daemon(r, name), (r, pool) -> {
                    try {
                        while (!pool.isShutdown()) {
                            if (pool.getQueue().offer(r, 100, TimeUnit.MILLISECONDS)) {
                                return;
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new java.util.concurrent.RejectedExecutionException("inbox closed");
                });
    }

    public List<Hub> hubs() {
        return hubs;
    }

    /** The device as the hubs see it. @throws HubException DEVICE_NOT_FOUND */
    public DeviceView device(String deviceId) {
        DeviceRecord d = registered(deviceId);
        Optional<SessionDirectory.Entry> held = store.sessions().find(deviceId);
        Optional<PresenceRecord> p = store.presence().find(deviceId);
        Optional<DeviceSession> here = localSession(deviceId);
        Instant lastSeen = here.map(s -> s.lastSeen)
                .or(() -> held.map(SessionDirectory.Entry::connectedAt))
                .orElse(p.map(PresenceRecord::lastSeen).orElse(null));
        String connectedTo = held.map(SessionDirectory.Entry::hub).orElse(p.map(PresenceRecord::hub).orElse(null));
        return new DeviceView(deviceId, d.hub(), d.enabled(), held.isPresent(), connectedTo, held.map(SessionDirectory.Entry::node).orElse(null),
                lastSeen);
    }

    /**
     * @param connectedTo the hub it is (or was last) connected to, null when never
     * @param node the node holding its session, null when not connected
     * @param lastSeen its last message when its session is on this node, its connect time when on
     *     another, its disconnect time when offline; null when never seen
     */
    public record DeviceView(String deviceId, String assignedHub, boolean enabled, boolean connected, String connectedTo, String node,
            Instant lastSeen) {}

    /**
     * The device's live session as the directory has it, with the peer address and certificate
     * when the session is on this node (another node's connection is not visible here).
     *
     * @return empty when the device has no session
     * @throws HubException DEVICE_NOT_FOUND
     */
    public Optional<SessionView> session(String deviceId) {
        registered(deviceId);
        Optional<DeviceSession> here = localSession(deviceId);
        return store.sessions().find(deviceId).map(e -> new SessionView(e.hub(), e.node(), e.connectedAt(),
                here.map(s -> String.valueOf(s.conn.remoteAddress())).orElse(null), here.map(s -> s.serial).orElse(null)));
    }

    /** @param address and {@code certSerial}: null when the session is on another node */
    public record SessionView(String hub, String node, Instant connectedAt, String address, String certSerial) {}

    /** The newest {@code last} messages, newest first. @throws HubException DEVICE_NOT_FOUND */
    public List<TelemetryRecord> telemetry(String deviceId, int last) {
        registered(deviceId);
        return store.telemetry().recent(deviceId, last);
    }

    /**
     * Queues a message (committed before this returns), then tells the node holding the device's
     * session to deliver it (when the device is subscribed); an offline device gets it when it
     * connects and subscribes.
     *
     * @param ttl how long it waits for an offline device; null for the hub default
     * @throws HubException DEVICE_NOT_FOUND
     */
    public C2dMessage sendC2d(String deviceId, byte[] body, Map<String, String> properties, Duration ttl) {
        registered(deviceId);
        Instant now = Instant.now();
        Duration t = ttl != null ? ttl : hubs.isEmpty() ? Duration.ofDays(1) : hubs.get(0).settings().c2dTtl();
        ObjectNode props = NodeInbox.JSON.createObjectNode();
        properties.forEach(props::put);
        C2dMessage m = store.cloudToDevice().enqueue(new C2dMessage(0, deviceId, UUID.randomUUID().toString(), props.toString(), body, now, now.plus(t)));
        notice(deviceId, NodeMessage.C2D_READY, null);
        return m;
    }

    public TwinRecord twin(String deviceId) {
        registered(deviceId);
        return store.twins().get(deviceId);
    }

    /**
     * Merges a desired-properties patch (RFC 7396), then has the holder push it to the device.
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
        desiredChanged(deviceId, t.desiredVersion(), patchJson);
        return t;
    }

    /**
     * Has the node holding the device's session push a desired patch already stored (a shadow
     * update of the same document, through the AWS dialect). Returns at once.
     */
    public void desiredChanged(String deviceId, long version, String patchJson) {
        ObjectNode body = NodeInbox.JSON.createObjectNode();
        body.put("version", version);
        body.put("patch", patchJson);
        notice(deviceId, NodeMessage.DESIRED_CHANGED, NodeInbox.bytes(body));
    }

    /**
     * Has the node holding the thing's session deliver the events of a back-end shadow change
     * (the shadow service's {@code ShadowEvents.publish}) to an AWS-dialect device. Returns at once;
     * a device connected elsewhere or not at all reads the shadow when it comes back.
     */
    public void shadowEvents(String thing, List<dev.imprint.shadow.ShadowMessage> messages) {
        com.fasterxml.jackson.databind.node.ArrayNode list = NodeInbox.JSON.createArrayNode();
        for (dev.imprint.shadow.ShadowMessage m : messages) {
            list.addObject().put("topic", m.topic()).put("payload", m.payload());
        }
        notice(thing, NodeMessage.SHADOW_EVENTS, NodeInbox.bytes(list));
    }

    /**
     * Invokes a direct method on whichever node holds the device's session; completes with the
     * device's answer, or fails with HubException DEVICE_OFFLINE (no session anywhere, or not
     * listening: at once) or METHOD_TIMEOUT.
     */
    public CompletableFuture<MethodResult> invokeMethod(String deviceId, String name, byte[] payload, Duration timeout) {
        registered(deviceId);
        if (name == null || name.isBlank() || name.contains("/") || name.contains("#") || name.contains("+")) {
            throw new HubException("BAD_REQUEST", 400, "invalid method name '" + name + "'");
        }
        ObjectNode req = NodeInbox.JSON.createObjectNode();
        req.put("name", name);
        req.put("timeoutMs", timeout.toMillis());
        req.put("payload", payload);
        return requests.send(deviceId, NodeMessage.METHOD_INVOKE, NodeInbox.bytes(req), timeout.plus(METHOD_GRACE))
                .handle((answer, e) -> methodResult(deviceId, name, timeout, answer, e));
    }

    private static MethodResult methodResult(String deviceId, String name, Duration timeout, NodeMessage answer, Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof TimeoutException) {
            throw new HubException("METHOD_TIMEOUT", 504, "device " + deviceId + " did not answer " + name + " within " + timeout.toSeconds() + " s");
        }
        if (t != null) {
            throw t instanceof RuntimeException re ? re : new CompletionException(t);
        }
        if (!NodeMessage.METHOD_RESULT.equals(answer.type())) {
            throw new HubException("DEVICE_OFFLINE", 404, "device " + deviceId + " is not connected");
        }
        JsonNode r = NodeInbox.read(answer.body());
        if (r.has("error")) {
            String code = r.path("error").asText();
            throw new HubException(code, code.equals("METHOD_TIMEOUT") ? 504 : 500, r.path("message").asText());
        }
        return new MethodResult(r.path("status").asInt(), r.path("payload").asText());
    }

    /** Ends the sessions on this certificate in every hub of this node (the in-process CA's revocation listener). */
    public void certificateRevoked(String serialHex) {
        hubs.forEach(h -> h.certificateRevoked(serialHex));
    }

    /**
     * The device was disabled, moved to another hub or deleted: the node holding its session
     * re-checks the registry and ends the session if the device may no longer stay. Returns at
     * once (the look-up and the message go on in the background); call it after the change is
     * committed.
     */
    public void deviceChanged(String deviceId) {
        run(() -> store.sessions().find(deviceId).ifPresent(e ->
                bus.send(e.node(), NodeMessage.of(NodeMessage.DEVICE_CHANGED, bus.self(), deviceId, e.epoch()))));
    }

    /**
     * A doorbell to the holder, retried once when it answers DEVICE_MOVED and once more when it
     * could not be sent (the directory or bus failed); a lost one costs nothing durable: the
     * holder's backstop ({@link Hub}) drains queues of connected devices now and then.
     */
    private void notice(String deviceId, String type, byte[] body) {
        notice(deviceId, type, body, true);
    }

    private void notice(String deviceId, String type, byte[] body, boolean mayRetry) {
        requests.send(deviceId, type, body, NOTICE_WAIT).whenComplete((m, e) -> {
            if (e == null || e instanceof TimeoutException || e.getCause() instanceof TimeoutException) {
                return;  // answered, or only answered on failure
            }
            if (mayRetry) {
                LOG.info("event=node.notice_retried type={} device={} msg=\"{}\"", type, deviceId, e.toString());
                notice(deviceId, type, body, false);
            } else {
                LOG.warn("event=node.notice_failed type={} device={} msg=\"{}\"", type, deviceId, e.toString());
            }
        });
    }

    private void run(Runnable r) {
        executor.execute(() -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("event=node.send_failed msg=\"{}\"", e.toString());
            }
        });
    }

    private Optional<DeviceSession> localSession(String deviceId) {
        return hubs.stream().flatMap(h -> h.session(deviceId).stream()).findFirst();
    }

    private DeviceRecord registered(String deviceId) {
        return store.deviceRegistry().find(deviceId)
                .orElseThrow(() -> new HubException("DEVICE_NOT_FOUND", 404, "no registered device " + deviceId));
    }

    /**
     * Stops taking messages (the bus keeps what it has not handed over: a PostgreSQL bus leaves
     * them in its table), handles those already taken, then stops sending. Close the hubs first:
     * the messages still handled then find their sessions gone and are answered DEVICE_OFFLINE.
     */
    @Override
    public void close() {
        bus.onMessage(null);
        inboxThread.shutdown();
        try {
            inboxThread.awaitTermination(2, TimeUnit.SECONDS);
            executor.shutdown();
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        inboxThread.shutdownNow();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
