package dev.imprint.device.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imprint.device.DeviceKey;
import dev.imprint.device.OperationalState;
import io.netty.channel.EventLoop;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A device in the field: registers with DPS (factory certificate, CSR for an operational one),
 * connects to its hub with the operational certificate, sends telemetry from a queue that
 * survives disconnects (a message leaves the queue only at the hub's PUBACK), reconnects with
 * exponential back-off and full jitter (or the server's Retry-After), renews its certificate over
 * EST at two thirds of its lifetime with a new key, and, when its operational certificate has
 * expired or the hub refuses it, registers again with the factory certificate. DPS is reached
 * over HTTPS or MQTT as {@link CloudConfig#dpsTransport()} says.
 *
 * <p>Cloud side features for the application: {@link #send telemetry}, {@link #getTwin the twin},
 * {@link #reportProperties reported properties}, {@link #onDesiredProperties desired-property
 * changes}, {@link #onCloudToDevice cloud-to-device messages} and {@link #onMethod direct methods}.
 *
 * <p>The parts, each with one job: the {@link Dialect} (the cloud's protocol), {@link TelemetryQueue}
 * (the outbox), {@link Renewal} (when and how the certificate is renewed), {@link InboundDispatch}
 * (what arrives, to the application's listeners). This class wires them and runs the life cycle:
 * provision, connect, back-off and reconnect, fall back to the factory certificate, switch to a
 * renewed certificate, fail, close.
 *
 * <p>All state changes run on one event-loop thread per device; the public methods are
 * thread-safe and never block. A permanent refusal (REVOKED, NO_ENROLLMENT ...) ends in state
 * {@link State#FAILED} with {@link #failureCode()}: the device stops trying.
 */
public final class DeviceClient implements AutoCloseable {
    public enum State { STARTING, CONNECTED, RECONNECTING, ROTATING, FAILED, CLOSED }

    /**
     * @param window telemetry messages in flight (sent, not yet acknowledged) at once
     * @param newKeys the key of each new operational certificate (default: a fresh software key)
     */
    public record Options(Duration timeout, Duration minBackoff, Duration maxBackoff, int window, Supplier<DeviceKey> newKeys) {
        public static Options defaults() {
            return new Options(Duration.ofSeconds(20), Duration.ofMillis(250), Duration.ofSeconds(30), 32, DeviceKey::generate);
        }

        public Options withKeys(Supplier<DeviceKey> keys) {
            return new Options(timeout, minBackoff, maxBackoff, window, keys);
        }
    }

    /** What happened, for progress displays and tests; called on the device's thread (do not block). */
    public interface Events {
        default void registered(String hub, boolean fallback) {}

        default void connected(String hub) {}

        default void rotated(String newSerial) {}

        default void disconnected(String code) {}

        default void failed(String code) {}

        default void transientError(String code) {}

        default void cloudToDevice(String properties, byte[] body) {}
    }

    private final DeviceRuntime rt;
    private final EventLoop loop;
    private final CloudConfig config;
    private final String deviceId;
    private final Identity factory;
    private final OperationalState store;
    private final Options options;
    private final Events events;
    private final Dialect dialect;
    private final InboundDispatch inbound;
    private final TelemetryQueue telemetry;
    private final Renewal renewal;
    private final Backoff backoff;

    // state below: only on `loop`
    private final CompletableFuture<Void> firstConnect = new CompletableFuture<>();
    private State state = State.STARTING;
    private String failureCode;
    private OperationalState.Operational op;
    private Instant opSince = Instant.now(); // when this process got (or loaded) op: the CA backdates notBefore
    private boolean mustRegister;
    private Session conn;
    private int attempts;
    private ScheduledFuture<?> timer;
    /** A connection attempt is on its way: at most one at a time. */
    private boolean connecting;
    /** Counts scheduled reconnects: a timer that fires after another attempt started does nothing. */
    private long reconnects;

    /** A device in the Azure dialect ({@link AzureDialect}: DPS, IoT Hub, EST). */
    public DeviceClient(DeviceRuntime rt, CloudConfig config, String deviceId, Identity factory, OperationalState store,
            Options options, Events events) {
        this(rt, config, new AzureDialect(rt, config, options.timeout()), deviceId, factory, store, options, events);
    }

    /** A device speaking {@code dialect} ({@link AzureDialect} or {@link AwsDialect}). */
    public DeviceClient(DeviceRuntime rt, CloudConfig config, Dialect dialect, String deviceId, Identity factory, OperationalState store,
            Options options, Events events) {
        this.rt = rt;
        this.dialect = dialect;
        this.loop = rt.group().next();
        this.config = config;
        this.deviceId = deviceId;
        this.factory = factory;
        this.store = store;
        this.options = options;
        this.events = events == null ? new Events() {} : events;
        this.inbound = new InboundDispatch(loop, deviceId, this.events, this::lost);
        this.telemetry = new TelemetryQueue(loop, options.window());
        this.backoff = new Backoff(options.minBackoff(), options.maxBackoff());
        this.renewal = new Renewal(rt, loop, dialect, deviceId, options.newKeys(), store, this.events, backoff, new Renewing());
    }

    /** Starts; completes at the first connection to the hub, fails with the CloudException of a permanent refusal. */
    public CompletableFuture<Void> start() {
        loop.execute(() -> {
            op = store.operational().filter(o -> o.key().matches(o.chain().get(0).getPublicKey())).orElse(null);
            attempt();
        });
        return firstConnect;
    }

    /** Registers with DPS now (factory certificate), whatever is stored; completes with the assigned hub host name. */
    public CompletableFuture<String> registerNow() {
        CompletableFuture<String> f = new CompletableFuture<>();
        loop.execute(() -> register(false).whenComplete((o, t) -> {
            if (t != null) {
                f.completeExceptionally(CloudException.of(t));
            } else {
                f.complete(o.hubHostname());
            }
        }));
        return f;
    }

    /**
     * Queues a telemetry message; completes when the hub acknowledged it. It stays queued through
     * disconnects and rotations; fails only when the device fails or is closed.
     *
     * @param properties application properties (URL-encoded into the topic), may be empty
     */
    public CompletableFuture<Void> send(byte[] body, Map<String, String> properties) {
        return telemetry.send(body, properties);
    }

    /**
     * Answers direct method {@code name} with the JSON the handler returns, status 200 (replaces
     * an earlier handler of that name). A method without a handler is answered 404; a handler that
     * throws, 500. Runs on the device's thread: do not block.
     */
    public void onMethod(String name, Function<byte[], String> handler) {
        onMethodCall(name, payload -> new MethodResponse(200, handler.apply(payload)));
    }

    /** As {@link #onMethod}, the handler choosing the status too. */
    public void onMethodCall(String name, Function<byte[], MethodResponse> handler) {
        inbound.onMethodCall(name, handler);
    }

    /**
     * Hands desired-property changes to {@code listener} (replacing an earlier one): each patch the
     * back-end makes while the device is connected (with its {@code $version}), and, on every
     * connection, the whole desired document when its version is newer than the last one handed
     * over (so changes made while the device was offline are not missed). Runs on the device's
     * thread: do not block.
     */
    public void onDesiredProperties(Consumer<JsonNode> listener) {
        inbound.onDesired(listener);
        loop.execute(() -> {
            if (conn != null) {
                inbound.catchUpDesired(conn, options.timeout());
            }
        });
    }

    /**
     * Hands cloud-to-device messages to {@code listener} (replacing an earlier one), besides
     * {@link Events#cloudToDevice}. A message is acknowledged to the hub when it arrives (at least
     * once: after a lost connection it may come again). Runs on the device's thread: do not block.
     */
    public void onCloudToDevice(Consumer<CloudMessage> listener) {
        inbound.onCloudToDevice(listener);
    }

    /**
     * Reports twin properties (a JSON merge patch); completes with the new reported version (-1
     * when the hub gave none). Fails with CLOSED when not connected, TWIN_STATUS_{n} when the hub
     * refuses the patch (e.g. 400 for a patch that is not a JSON object), TIMEOUT.
     */
    public CompletableFuture<Long> reportProperties(String jsonPatch) {
        Session c = conn;
        return c == null ? notConnected() : c.reportProperties(jsonPatch, options.timeout());
    }

    /** The whole twin from the hub ({@code $iothub/twin/GET}); fails as {@link #reportProperties}. */
    public CompletableFuture<Twin> getTwin() {
        Session c = conn;
        return c == null ? notConnected() : c.getTwin(options.timeout()).thenApply(Twin::parse);
    }

    private static <T> CompletableFuture<T> notConnected() {
        return CompletableFuture.failedFuture(CloudException.transientFailure("CLOSED", "not connected"));
    }

    public State state() {
        return state;
    }

    public String failureCode() {
        return failureCode;
    }

    public String deviceId() {
        return deviceId;
    }

    /** The current operational certificate, or null before the first registration. */
    public X509Certificate operationalCertificate() {
        OperationalState.Operational o = op;
        return o == null ? null : o.chain().get(0);
    }

    /** Telemetry not yet acknowledged (queued and in flight). */
    public int queued() {
        return telemetry.size();
    }

    // ---- connection life cycle (on loop)

    /** The one place a connection attempt starts: never while another is on its way. */
    private void attempt() {
        if (state == State.CLOSED || state == State.FAILED || connecting) {
            return;
        }
        connecting = true;
        reconnects++; // a reconnect timer still pending is stale now
        cancelReconnect();
        boolean expired = op != null && identity(op).expiredAt(Instant.now().plusSeconds(1));
        boolean fallback = op != null;
        // a register() that throws at once ends this attempt like one that fails later: retried, never stuck "connecting"
        CompletableFuture<OperationalState.Operational> ready = op == null || mustRegister || expired
                ? CompletableFuture.<Void>completedFuture(null).thenCompose(x -> register(fallback)) : CompletableFuture.completedFuture(op);
        OperationalState.Operational[] used = new OperationalState.Operational[1];
        ready.thenCompose(o -> {
            used[0] = o;
            return dialect.connect(o, deviceId, inbound);
        }).whenCompleteAsync((c, t) -> {
            connecting = false;
            if (t == null) {
                connected(c, used[0]);
            } else {
                attemptFailed(CloudException.of(t));
            }
        }, loop);
    }

    /** Provisioning (DPS, or AWS fleet provisioning) with the factory certificate and a CSR for a new operational key. */
    private CompletableFuture<OperationalState.Operational> register(boolean fallback) {
        DeviceKey key = options.newKeys().get();
        return dialect.provision(factory, deviceId, key).thenApplyAsync(o -> {
            if (o.chain().isEmpty() || !key.matches(o.chain().get(0).getPublicKey())) {
                throw CloudException.refused("KEY_MISMATCH", "provisioning returned no operational certificate for this key");
            }
            store.saveOperational(o);
            op = o;
            opSince = Instant.now();
            mustRegister = false;
            events.registered(o.hubHostname(), fallback);
            return o;
        }, loop);
    }

    private void connected(Session c, OperationalState.Operational used) {
        if (state == State.CLOSED) {
            c.close();
            return;
        }
        if (used != op) {
            // renewed while this attempt was on its way: connect again with the new certificate
            c.close().whenCompleteAsync((v, t) -> attempt(), loop);
            return;
        }
        conn = c;
        attempts = 0;
        state = State.CONNECTED;
        events.connected(op.hubHostname());
        firstConnect.complete(null);
        inbound.catchUpDesired(c, options.timeout());
        renewal.schedule(op, opSince);
        telemetry.attach(c);
    }

    private void attemptFailed(CloudException e) {
        if (state == State.CLOSED) {
            return;
        }
        if (e.code().equals("CONNACK_NOT_AUTHORIZED") || e.code().equals("CONNACK_BAD_CREDENTIALS")) {
            // the hub no longer takes this certificate (expired, revoked, moved): ask DPS again with the factory one
            if (!mustRegister) {
                mustRegister = true;
                events.transientError(e.code());
                retryLater(null);
                return;
            }
        }
        if (e.permanent() && !e.code().equals("CONNACK_SERVER_UNAVAILABLE")) {
            fail(e);
            return;
        }
        events.transientError(e.code());
        retryLater(e.retryAfter());
    }

    private void retryLater(Duration retryAfter) {
        state = State.RECONNECTING;
        Duration wait = retryAfter != null ? retryAfter : backoff.next(attempts++);
        long mine = ++reconnects;
        cancelReconnect();
        timer = rt.schedule(wait, () -> loop.execute(() -> {
            if (reconnects == mine) {
                attempt();
            }
        }));
    }

    private void cancelReconnect() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void fail(CloudException e) {
        state = State.FAILED;
        failureCode = e.code();
        cancelTimers();
        if (conn != null) {
            conn.close();
            conn = null;
        }
        events.failed(e.code());
        firstConnect.completeExceptionally(e);
        telemetry.stop(e);
    }

    private void lost(CloudException why) {
        if (conn == null || state == State.CLOSED || state == State.FAILED) {
            return;
        }
        conn = null;
        telemetry.detach();
        events.disconnected(why.code());
        renewal.cancel();
        retryLater(null);
    }

    // ---- rotation (on loop): the renewal is a part of its own, the switch to the new certificate is the life cycle's

    /** What the renewal sees of this device. */
    private final class Renewing implements Renewal.Device {
        @Override
        public OperationalState.Operational current() {
            return op;
        }

        @Override
        public Session live() {
            return state == State.CONNECTED ? conn : null;
        }

        @Override
        public boolean stopped() {
            return state == State.CLOSED || state == State.FAILED;
        }

        /**
         * Connected: switches to the new certificate now. Not connected (the connection dropped
         * while the renewal was on its way): the reconnect already pending or on its way is the
         * only attempt, and it, or the one after it, uses the new certificate.
         */
        @Override
        public void renewed(OperationalState.Operational next) {
            op = next;
            opSince = Instant.now();
            events.rotated(next.chain().get(0).getSerialNumber().toString(16));
            if (state == State.CONNECTED) {
                switchConnection();
            }
        }
    }

    /** Lets in-flight telemetry finish (up to 2 s), then reconnects with the new certificate; the queue waits. */
    private void switchConnection() {
        state = State.ROTATING;
        telemetry.detach();
        Session old = conn;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        Runnable[] check = new Runnable[1];
        check[0] = () -> {
            if (state != State.ROTATING) {
                return;
            }
            if (telemetry.inFlight() > 0 && System.nanoTime() < deadline && old != null && old.active()) {
                rt.schedule(Duration.ofMillis(20), () -> loop.execute(check[0]));
                return;
            }
            conn = null;
            (old == null ? CompletableFuture.<Void>completedFuture(null) : old.close())
                    .whenCompleteAsync((v, t) -> attempt(), loop);
        };
        check[0].run();
    }

    private void cancelTimers() {
        renewal.cancel();
        cancelReconnect();
    }

    /** Disconnects and stops; queued telemetry fails with CLOSED. Returns at once. */
    @Override
    public void close() {
        loop.execute(() -> {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            cancelTimers();
            if (conn != null) {
                conn.close();
                conn = null;
            }
            CloudException e = CloudException.refused("CLOSED", "the device was closed");
            telemetry.stop(e);
            firstConnect.completeExceptionally(e);
        });
    }

    private static Identity identity(OperationalState.Operational o) {
        return new Identity(o.key(), o.chain());
    }
}
