package dev.imprint.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.hub.AzureTopics.Kind;
import dev.imprint.hub.telemetry.TelemetryPipeline;
import dev.imprint.mqtt.MqttConnection;
import dev.imprint.mqtt.MqttRefusal;
import dev.imprint.mqtt.MqttSession;
import dev.imprint.mqtt.PublishProperties;
import dev.imprint.store.C2dMessage;
import dev.imprint.store.TelemetryRecord;
import dev.imprint.store.TwinRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device's live session on a hub, speaking the Azure IoT Hub dialect: telemetry, the
 * cloud-to-device queue (QoS 1, deleted when acknowledged), twin GET and reported PATCH,
 * desired pushes, and direct methods. Authorization: the device may publish and subscribe only
 * on its own topics; a foreign publish ends the session (FOREIGN_TOPIC), a foreign filter gets
 * SUBACK 0x80. Store work runs on the hub's I/O executor, never on the event loop.
 *
 * <p>Telemetry: QoS 0 is fire and forget. QoS 1 is acknowledged only once the batch holding it
 * is committed to the store, so an acknowledged message survives a crash; when the write fails
 * the session ends with STORE_UNAVAILABLE (STORE_BEHIND when the queue is full) before any
 * PUBACK, and the device resends.
 */
class DeviceSession implements MqttSession {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceSession.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong RIDS = new AtomicLong();

    final String deviceId;
    final String serial;
    final String enrollment;
    final Instant notAfter;
    final MqttConnection conn;
    final Hub hub;
    private final AzureTopics topics;
    private volatile boolean c2d;
    private volatile boolean desired;
    private volatile boolean methods;
    /** Direct methods sent and not answered; made by the first one (most idle sessions never get one). */
    private volatile Map<String, CompletableFuture<MethodResult>> pendingMethods;
    volatile Instant lastSeen = Instant.now();
    /** Twin requests acknowledged but not yet answered; beyond TWIN_ACK_AHEAD the PUBACK waits for the answer (the inbound window bounds them). */
    private volatile int twinsInFlight;
    private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<DeviceSession> TWINS_IN_FLIGHT =
            java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(DeviceSession.class, "twinsInFlight");
    private static final int TWIN_ACK_AHEAD = 8;
    /** The directory epoch of this session, set once its claim committed (before any message can name it). */
    volatile long epoch;
    // event loop only: the highest c2d seq handed to the connection, and desired pushes in version order
    private long c2dSent;
    /** The twin's desired version the device has (pushed, or read at admission); {@link #UNKNOWN} until then. */
    private long desiredPushed = UNKNOWN;
    /** Patches ahead of a gap (or before the starting version is known); null while there are none. */
    private java.util.TreeMap<Long, String> desiredWaiting;
    private boolean desiredRefill;
    private static final long UNKNOWN = -1;
    /**
     * How long a gap in the desired versions may stay open before the twin is read again: twice
     * the PostgreSQL bus's backstop poll, within which a predecessor whose NOTIFY was lost arrives.
     */
    static final Duration DESIRED_GAP_WAIT = dev.imprint.cluster.PgBus.INBOX_BACKSTOP.multipliedBy(2);
    /** Patches waiting behind a gap beyond which the twin is read again at once. */
    private static final int DESIRED_WAITING_MAX = 8;

    DeviceSession(Hub hub, String deviceId, String serial, String enrollment, Instant notAfter, MqttConnection conn) {
        this.hub = hub;
        this.deviceId = deviceId;
        this.serial = serial;
        this.enrollment = enrollment;
        this.notAfter = notAfter;
        this.conn = conn;
        this.topics = new AzureTopics(deviceId);
    }

    @Override
    public CompletionStage<Void> onPublish(String topic, int qos, byte[] payload) {
        return onPublish(topic, qos, payload, PublishProperties.NONE);
    }

    /**
     * A message arrived: {@link #lastSeen} to the millisecond (what the store keeps), a new
     * Instant only when the millisecond changed: a fast stream's messages share one.
     */
    final void seen() {
        long now = System.currentTimeMillis();
        if (lastSeen.toEpochMilli() != now) {
            lastSeen = Instant.ofEpochMilli(now);
        }
    }

    @Override
    public CompletionStage<Void> onPublish(String topic, int qos, byte[] payload, PublishProperties mqtt5) {
        seen();
        if (topics.isTelemetry(topic)) {
            Map<String, String> props = TelemetryProperties.merge(topics.telemetryProperties(topic), mqtt5);
            return telemetry(qos, payload, props);
        }
        if (topic.startsWith(AzureTopics.TWIN_GET)) {
            String rid = AzureTopics.rid(topic);
            LOG.debug("event=hub.twin_get hub={} device={} rid={} qos={}", hub.name(), deviceId, rid, qos);
            // PUBACK first, then the answer, as Azure IoT Hub does: the answer is the real acknowledgement,
            // and the Azure SDK can miss an answer that overtakes the PUBACK of its request (getTwin waited 60 s)
            CompletableFuture<Void> answered = hub.io(() -> twinDocument(hub.store().twins().get(deviceId))).handle((doc, e) -> {
                if (e != null) {
                    // the device hears 500 at once rather than waiting out its own timeout
                    LOG.warn("event=hub.twin_get_failed hub={} device={} reason=STORE_UNAVAILABLE msg=\"{}\"", hub.name(), deviceId, e.toString());
                    conn.reply(AzureTopics.twinResponse(500, rid, null), new byte[0]);
                } else {
                    conn.reply(AzureTopics.twinResponse(200, rid, null), doc).whenComplete((v, x) ->
                            LOG.debug("event=hub.twin_replied hub={} device={} rid={} error={}", hub.name(), deviceId, rid, x));
                }
                TWINS_IN_FLIGHT.decrementAndGet(this);
                return null;
            });
            return TWINS_IN_FLIGHT.incrementAndGet(this) <= TWIN_ACK_AHEAD ? DONE : answered;
        }
        if (topic.startsWith(AzureTopics.TWIN_PATCH_REPORTED)) {
            String rid = AzureTopics.rid(topic);
            String patch = new String(payload, StandardCharsets.UTF_8);
            // PUBACK first, then the answer (see the GET above)
            CompletableFuture<Void> answered = hub.io(() -> hub.store().twins().patchReported(deviceId, patch)).handle((t, e) -> {
                if (e != null) {
                    LOG.info("event=hub.twin_patch_refused hub={} device={} msg=\"{}\"", hub.name(), deviceId, e.getMessage());
                    conn.reply(AzureTopics.twinResponse(400, rid, null), new byte[0]);
                } else {
                    conn.reply(AzureTopics.twinResponse(204, rid, t.reportedVersion()), new byte[0]);
                }
                TWINS_IN_FLIGHT.decrementAndGet(this);
                return null;
            });
            return TWINS_IN_FLIGHT.incrementAndGet(this) <= TWIN_ACK_AHEAD ? DONE : answered;
        }
        if (topic.startsWith(AzureTopics.METHOD_RES)) {
            Map<String, CompletableFuture<MethodResult>> pending = pendingMethods;
            CompletableFuture<MethodResult> f = pending == null ? null : pending.remove(String.valueOf(AzureTopics.rid(topic)));
            if (f != null) {
                f.complete(new MethodResult(AzureTopics.methodStatus(topic), new String(payload, StandardCharsets.UTF_8)));
            }
            return DONE;
        }
        throw new MqttRefusal("FOREIGN_TOPIC", "device " + deviceId + " published to '" + topic + "', which is not its own");
    }

    /** Stores a device-to-cloud message; QoS 1: the PUBACK waits for the batch's commit, a failed write ends the session unacknowledged, so the device resends. */
    final CompletionStage<Void> telemetry(int qos, byte[] payload, Map<String, String> props) {
        TelemetryRecord r = new TelemetryRecord(0, deviceId, hub.name(), lastSeen, json(props), payload);
        if (qos == 0) {
            hub.telemetry().offer(r);
            return DONE;
        }
        return hub.telemetry().store(r).exceptionally(DeviceSession::notStored);
    }

    @Override
    public List<Integer> onSubscribe(List<Subscription> filters) {
        List<Integer> granted = new ArrayList<>();
        for (Subscription s : filters) {
            Kind k = topics.filterKind(s.filter());
            switch (k) {
                case C2D -> c2d = true;
                case TWIN_DESIRED -> desired = true;
                case METHODS -> methods = true;
                case TWIN_RES -> { }
                case FOREIGN -> LOG.info("event=hub.subscribe_refused hub={} device={} filter=\"{}\" reason=FOREIGN_TOPIC",
                        hub.name(), deviceId, dev.imprint.pki.LogSafe.of(s.filter()));
            }
            granted.add(k == Kind.FOREIGN ? 0x80 : s.qos());
        }
        if (c2d) {
            // posted: runs after the SUBACK is written (the SDK's open() waits for that SUBACK)
            conn.executor().execute(this::deliverC2d);
        }
        return granted;
    }

    @Override
    public void onUnsubscribe(List<String> filters) {
        for (String f : filters) {
            switch (topics.filterKind(f)) {
                case C2D -> c2d = false;
                case TWIN_DESIRED -> desired = false;
                case METHODS -> methods = false;
                default -> { }
            }
        }
    }

    @Override
    public void onClose(String reason) {
        HubException offline = new HubException("DEVICE_OFFLINE", 404, "device " + deviceId + " disconnected (" + reason + ")");
        Map<String, CompletableFuture<MethodResult>> pending = pendingMethods;
        if (pending != null) {
            pending.values().forEach(f -> f.completeExceptionally(offline));
            pending.clear();
        }
        hub.sessionClosed(this, reason);
    }

    /**
     * Sends queued cloud-to-device messages not yet sent on this session (QoS 1; deleted when
     * acknowledged). Any number of callers may ask at once (the subscription, every C2D_READY):
     * the reads may finish in any order, so the publishing happens on the event loop and skips
     * what a newer read already sent; queue order is publish order. A full read is followed by
     * another once its last message is acknowledged.
     */
    void deliverC2d() {
        if (!c2d || !conn.isActive()) {
            return;
        }
        hub.io(() -> hub.store().cloudToDevice().pending(deviceId, Instant.now(), C2D_BATCH))
                .thenAcceptAsync(this::publishC2d, conn.executor());
    }

    private static final int C2D_BATCH = 32;

    private void publishC2d(List<C2dMessage> list) {
        for (int i = 0; i < list.size(); i++) {
            C2dMessage m = list.get(i);
            if (m.seq() <= c2dSent) {
                continue;
            }
            c2dSent = m.seq();
            boolean refill = i == C2D_BATCH - 1;
            Map<String, String> props = new LinkedHashMap<>();
            props.put("$.mid", m.messageId());
            props.put("$.to", "/devices/" + deviceId + "/messages/deviceBound");
            props.putAll(properties(m.properties()));
            conn.publish(topics.devicebound(props), 1, m.body()).whenComplete((v, e) -> {
                if (e == null) {
                    hub.io(() -> hub.store().cloudToDevice().complete(m.seq())).whenComplete((x, y) -> {
                        if (refill) {
                            deliverC2d();
                        }
                    });
                }
            });
        }
    }

    /**
     * Where desired pushes start: the twin's desired version read after the session's claim
     * committed. Every patch committed later is sent to this session and pushed; earlier ones
     * the device reads with its twin GET. Runs on the event loop before the CONNACK is written.
     * A failed read leaves the start to the first patch that arrives.
     */
    void desiredFrom(java.util.function.LongSupplier twinVersion) {
        long v;
        try {
            v = twinVersion.getAsLong();
        } catch (RuntimeException e) {
            LOG.warn("event=hub.desired_start_unknown hub={} device={} msg=\"{}\"", hub.name(), deviceId, e.toString());
            return;
        }
        conn.executor().execute(() -> {
            if (desiredPushed == UNKNOWN) {
                desiredPushed = v;
                if (desiredWaiting != null) {
                    desiredWaiting.headMap(v, true).clear();
                }
                pushWaiting();
            }
        });
    }

    /**
     * Pushes a desired-properties patch when the device listens for them, in version order, each
     * version once: a patch that arrives ahead of its predecessor (two senders, two nodes) waits
     * for it; a gap still open after {@link #DESIRED_GAP_WAIT} (its notice was lost) is filled
     * by reading the twin again and pushing its whole desired section under the twin's version.
     */
    void pushDesired(long version, String patchJson) {
        conn.executor().execute(() -> {
            if (!desired || (desiredPushed != UNKNOWN && version <= desiredPushed)) {
                return;
            }
            if (desiredWaiting == null) {
                desiredWaiting = new java.util.TreeMap<>();
            }
            desiredWaiting.put(version, patchJson);
            if (desiredPushed != UNKNOWN) {
                pushWaiting();
            } else if (desiredWaiting.size() > DESIRED_WAITING_MAX) {
                // no start version (its read failed): the oldest waiting patch is the start
                desiredPushed = desiredWaiting.firstKey() - 1;
                pushWaiting();
            }
        });
    }

    /** Event loop: pushes the waiting patches that follow without a gap; a gap left open is filled later. */
    private void pushWaiting() {
        if (desiredWaiting == null) {
            return;
        }
        String next;
        while ((next = desiredWaiting.remove(desiredPushed + 1)) != null) {
            desiredPushed++;
            publishDesired(desiredPushed, next);
        }
        if (desiredWaiting.isEmpty()) {
            desiredWaiting = null;
        } else if (!desiredRefill) {
            desiredRefill = true;
            Duration wait = desiredWaiting.size() > DESIRED_WAITING_MAX ? Duration.ZERO : DESIRED_GAP_WAIT;
            hub.later(wait, () -> hub.io(() -> hub.store().twins().get(deviceId)).whenCompleteAsync(this::fillGap, conn.executor()));
        }
    }

    /** Event loop: the twin read for a gap; pushes its whole desired section when the gap is still open. */
    private void fillGap(TwinRecord twin, Throwable failed) {
        desiredRefill = false;
        if (desiredWaiting == null || !desired) {
            return;
        }
        if (failed != null || twin.desiredVersion() <= desiredPushed) {
            // nothing better to go on: the waiting patches are pushed from the oldest
            LOG.info("event=hub.desired_gap_skipped hub={} device={} from={} to={}", hub.name(), deviceId, desiredPushed, desiredWaiting.firstKey() - 1);
            desiredPushed = desiredWaiting.firstKey() - 1;
        } else {
            LOG.info("event=hub.desired_gap_filled hub={} device={} from={} to={}", hub.name(), deviceId, desiredPushed, twin.desiredVersion());
            desiredPushed = twin.desiredVersion();
            desiredWaiting.headMap(desiredPushed, true).clear();
            publishDesired(desiredPushed, twin.desired());
        }
        pushWaiting();
    }

    private void publishDesired(long version, String patchJson) {
        try {
            ObjectNode patch = (ObjectNode) JSON.readTree(patchJson);
            patch.put("$version", version);
            conn.publish(AzureTopics.desiredPush(version), 0, JSON.writeValueAsBytes(patch));
        } catch (IOException | ClassCastException e) {
            LOG.warn("event=hub.desired_push_failed device={} msg=\"{}\"", deviceId, e.toString());
        }
    }

    CompletableFuture<MethodResult> invoke(String name, byte[] payload, Duration timeout) {
        if (!methods) {
            return CompletableFuture.failedFuture(new HubException("DEVICE_OFFLINE", 404,
                    "device " + deviceId + " is connected but not subscribed to direct methods"));
        }
        String rid = Long.toHexString(RIDS.incrementAndGet());
        CompletableFuture<MethodResult> f = new CompletableFuture<>();
        Map<String, CompletableFuture<MethodResult>> pending = pendingMethods();
        pending.put(rid, f);
        HubException offline = new HubException("DEVICE_OFFLINE", 404, "device " + deviceId + " disconnected before the method was sent");
        // the session may have closed since it was looked up: its onClose already failed the pending
        // methods, so this one would wait out its timeout; publish fails on a closed connection
        conn.publish(AzureTopics.methodRequest(name, rid), 0, payload).whenComplete((v, e) -> {
            if (e != null) {
                f.completeExceptionally(offline);
            }
        });
        if (!conn.isActive()) {
            f.completeExceptionally(offline);
        }
        return f.orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).handle((r, e) -> {
            pending.remove(rid);
            if (e instanceof TimeoutException) {
                throw new HubException("METHOD_TIMEOUT", 504, "device " + deviceId + " did not answer " + name + " within " + timeout.toSeconds() + " s");
            }
            if (e != null) {
                throw e instanceof RuntimeException re ? re : new java.util.concurrent.CompletionException(e);
            }
            return r;
        });
    }

    private Map<String, CompletableFuture<MethodResult>> pendingMethods() {
        Map<String, CompletableFuture<MethodResult>> m = pendingMethods;
        if (m == null) {
            synchronized (this) {
                m = pendingMethods;
                if (m == null) {
                    m = pendingMethods = new ConcurrentHashMap<>();
                }
            }
        }
        return m;
    }

    private static Void notStored(Throwable e) {
        Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        throw c instanceof TelemetryPipeline.NotStored n ? new MqttRefusal(n.reason(), n.getMessage())
                : new MqttRefusal("STORE_UNAVAILABLE", "storing telemetry failed: " + c);
    }

    static byte[] twinDocument(TwinRecord t) {
        try {
            ObjectNode doc = JSON.createObjectNode();
            ObjectNode d = (ObjectNode) JSON.readTree(t.desired());
            d.put("$version", t.desiredVersion());
            ObjectNode r = (ObjectNode) JSON.readTree(t.reported());
            r.put("$version", t.reportedVersion());
            doc.set("desired", d);
            doc.set("reported", r);
            return JSON.writeValueAsBytes(doc);
        } catch (IOException e) {
            throw new IllegalStateException("stored twin is not JSON", e);
        }
    }

    private static String json(Map<String, String> props) {
        if (props.isEmpty()) {
            return "{}";
        }
        ObjectNode n = JSON.createObjectNode();
        props.forEach(n::put);
        return n.toString();
    }

    private static Map<String, String> properties(String json) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            JsonNode n = JSON.readTree(json);
            n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        } catch (IOException e) {
            // stored by us as a JSON object; nothing to add when it is not
        }
        return out;
    }
}
