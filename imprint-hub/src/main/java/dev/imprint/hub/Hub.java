package dev.imprint.hub;

import dev.imprint.cluster.LocalBus;
import dev.imprint.cluster.NodeBus;
import dev.imprint.cluster.NodeMessage;
import dev.imprint.hub.telemetry.QueueBudget;
import dev.imprint.hub.telemetry.TelemetryPipeline;
import dev.imprint.hub.telemetry.TelemetrySink;
import dev.imprint.mqtt.ConnectOutcome;
import dev.imprint.mqtt.ConnectRequest;
import dev.imprint.mqtt.MqttApplication;
import dev.imprint.mqtt.MqttConnection;
import dev.imprint.mqtt.MqttTlsServer;
import dev.imprint.mqtt.ServerTls;
import dev.imprint.pki.validation.CertificateValidator;
import dev.imprint.pki.validation.PossessionProof;
import dev.imprint.pki.validation.ValidationRequest;
import dev.imprint.pki.validation.Verdict;
import dev.imprint.store.CertificateRecord;
import dev.imprint.store.DeviceRecord;
import dev.imprint.store.SessionDirectory;
import dev.imprint.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An IoT hub: an MQTT 3.1.1 and 5 broker over mutual TLS for the devices DPS assigned to it,
 * speaking one {@link HubDialect} (Azure IoT Hub by default; the AWS endpoint is a hub speaking
 * the AWS IoT Core dialect, which serves every registered device and ignores the username).
 *
 * <p>On every connection the client's chain goes through the shared {@link CertificateValidator}
 * (the five steps); then the certificate's identity must equal the MQTT client ID (and the
 * device part of the username), and the device must be registered, assigned to this hub,
 * enabled, and its enrollment enabled. Each refusal gets a CONNACK code and a stable reason
 * code, logged and counted by the transport's disconnector:
 * certificate refusals are 0x05 with the validator's reason code; IDENTITY_MISMATCH 0x02;
 * USERNAME_MISMATCH 0x04; NOT_REGISTERED, NOT_ASSIGNED_TO_HUB, DEVICE_DISABLED,
 * ENROLLMENT_DISABLED 0x05.
 *
 * <p>Sessions across nodes: several nodes may serve one hub (behind a TCP balancer). At CONNECT
 * the hub claims the device in the store's {@link SessionDirectory} for this node (the CONNACK
 * waits for that batched commit); when the claim replaced a session on another node (or another
 * hub of this node), that node is told {@code SESSION_TAKEN} with the old epoch over the
 * {@link NodeBus} and closes it. At DISCONNECT the claim is released (fenced by node and epoch).
 * A node removes only its own rows of this hub, at start (left by a crash) and at a clean stop.
 *
 * <p>Live sessions end within 1 s of a revocation ({@link #certificateRevoked}: called by the
 * in-process CA, or on the bus's {@code revocations} doorbell, with a backstop poll), of the
 * device being disabled or moved ({@link #deviceChanged}, sent by whoever changed it) or its
 * enrollment disabled (doorbell {@code config}, backstop poll), and when the certificate
 * expires. Thread-safe.
 */
public final class Hub implements MqttApplication, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Hub.class);

    private final HubSettings settings;
    private final Store store;
    private final CertificateValidator validator;
    private final SessionTable sessions = new SessionTable();
    private final ExpirySweep expiry = new ExpirySweep();
    /** Epochs taken over by other nodes lately: a SESSION_TAKEN can overtake the admission of its session. */
    private final TakenEpochs taken = new TakenEpochs(TakenEpochs.REMEMBER);
    private final NodeBus bus;
    private final boolean ownsBus;
    private final java.util.Set<javax.security.auth.x500.X500Principal> trackedIssuers = ConcurrentHashMap.newKeySet();
    private final ExecutorService io;
    private final ScheduledExecutorService timers;
    private final TelemetryPipeline telemetry;
    private final LiveRevocation live;
    private final MqttTlsServer server;
    private final HubDialect dialect;
    private final MeterRegistry meters;

    private Hub(HubSettings settings, Store store, CertificateValidator validator, ServerTls tls, List<TelemetrySink> sinks,
            MeterRegistry meters, NodeBus bus, boolean ownsBus, HubDialect dialect) {
        this.settings = settings;
        this.dialect = dialect;
        this.meters = meters;
        this.bus = bus;
        this.ownsBus = ownsBus;
        this.store = store;
        this.validator = validator;
        AtomicInteger n = new AtomicInteger();
        this.io = Executors.newFixedThreadPool(4, r -> daemon(r, "imprint-" + settings.name() + "-io-" + n.incrementAndGet()));
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "imprint-" + settings.name() + "-timers"));
        this.telemetry = new TelemetryPipeline(settings.name(), store.telemetry(), sinks, settings.telemetryMaxAge(),
                settings.telemetryMaxRows(), QueueBudget.defaults(), meters);
        this.live = new LiveRevocation(this);
        this.server = MqttTlsServer.builder()
                .name(settings.name())
                .bind(settings.bindAddress(), settings.port())
                .tls(tls)
                .limits(settings.limits())
                .balancers(settings.balancers())
                .validator(this::validate)
                .application(this)
                .meters(meters)
                .mqtt5(true)
                .build();
    }

    /**
     * Starts a hub alone in its process, on a bus of its own (node name = hub name): the
     * single-process shape of benchmarks and tests. A process with several hubs, or a node of a
     * cluster, uses {@link #start(HubSettings, Store, CertificateValidator, ServerTls, List, MeterRegistry, NodeBus)}.
     */
    public static Hub start(HubSettings settings, Store store, CertificateValidator validator, ServerTls tls,
            List<TelemetrySink> sinks, MeterRegistry meters) {
        return start(settings, store, validator, tls, sinks, meters, new LocalBus(settings.name()), true, HubDialect.azure());
    }

    /**
     * Starts a hub on this node: removes this node's directory rows of the hub (a crash left
     * them), binds, starts the revocation watch (doorbells on {@code bus} and the backstop poll).
     * The node's inbox is handled by its {@link HubBackend}, which must be created with this hub
     * and the same bus; the bus stays the caller's (not closed by {@link #close}).
     *
     * @param validator the shared validator with the device anchors (manufacturing and
     *     operational CAs) and a revocation source; identity sources SAN URI then CN
     * @param bus this node's bus: its {@link NodeBus#self()} is the node name in the directory
     * @throws IllegalStateException when the address cannot be bound
     */
    public static Hub start(HubSettings settings, Store store, CertificateValidator validator, ServerTls tls,
            List<TelemetrySink> sinks, MeterRegistry meters, NodeBus bus) {
        return start(settings, store, validator, tls, sinks, meters, bus, false, HubDialect.azure());
    }

    /** Starts a listener on this node speaking {@code dialect} (the AWS endpoint: {@link HubDialect#aws}); otherwise as above. */
    public static Hub start(HubSettings settings, Store store, CertificateValidator validator, ServerTls tls,
            List<TelemetrySink> sinks, MeterRegistry meters, NodeBus bus, HubDialect dialect) {
        return start(settings, store, validator, tls, sinks, meters, bus, false, dialect);
    }

    private static Hub start(HubSettings settings, Store store, CertificateValidator validator, ServerTls tls,
            List<TelemetrySink> sinks, MeterRegistry meters, NodeBus bus, boolean ownsBus, HubDialect dialect) {
        Hub hub = new Hub(settings, store, validator, tls, sinks, meters, bus, ownsBus, dialect);
        try {
            store.sessions().removeSessions(bus.self(), settings.name());
            hub.server.start();
        } catch (RuntimeException e) {
            hub.close();
            throw e;
        }
        hub.live.start(hub.timers, settings.watchInterval(), bus);
        long backstop = settings.watchInterval().multipliedBy(C2D_BACKSTOP_ROUNDS).toMillis();
        hub.timers.scheduleWithFixedDelay(() -> hub.io(hub::drainQueuedC2d), backstop, backstop, TimeUnit.MILLISECONDS);
        long forget = TakenEpochs.REMEMBER.toMillis() / 3;
        hub.timers.scheduleWithFixedDelay(() -> hub.taken.forgetOlder(System.nanoTime()), forget, forget, TimeUnit.MILLISECONDS);
        hub.sweepExpired();
        return hub;
    }

    /** How long before a failed SESSION_TAKEN is sent once more. */
    private static final java.time.Duration SESSION_TAKEN_RETRY = java.time.Duration.ofSeconds(1);

    /** The queued-c2d backstop runs every this many watch intervals (30 s by default). */
    private static final int C2D_BACKSTOP_ROUNDS = 6;
    /** At most this many sessions per backstop round: the rest wait for the next. */
    private static final int C2D_BACKSTOP_LIMIT = 1_000;

    /**
     * The backstop of a lost C2D_READY: one query for this node's sessions whose device has
     * messages queued, then each of this hub's (same epoch) delivers what it has not sent yet.
     * Returns how many sessions were asked.
     */
    int drainQueuedC2d() {
        int asked = 0;
        for (SessionDirectory.Entry e : store.sessions().withQueuedC2d(bus.self(), Instant.now(), C2D_BACKSTOP_LIMIT)) {
            DeviceSession s = e.hub().equals(settings.name()) ? sessions.get(e.deviceId()).orElse(null) : null;
            if (s != null && s.epoch == e.epoch()) {
                s.deliverC2d();
                asked++;
            }
        }
        return asked;
    }

    private Verdict validate(List<X509Certificate> chain) {
        return validator.validate(ValidationRequest.builder().chain(chain).possession(PossessionProof.tlsHandshake()).build());
    }

    @Override
    public CompletionStage<ConnectOutcome> connect(ConnectRequest req, MqttConnection conn) {
        ConnectOutcome refused = dialect.refuseConnect(req.verdict(), req.clientId(), req.username());
        if (refused != null) {
            return done(refused);
        }
        Verdict.Accepted a = (Verdict.Accepted) req.verdict();
        String identity = DeviceAccess.deviceId(a.identity());
        // the connection keeps the client ID for its logs: one copy of the ID per session, not two
        String deviceId = identity.equals(req.clientId()) ? req.clientId() : identity;
        return io(() -> admit(deviceId, a.path(), conn)).thenCompose(o -> o);
    }

    /** Registry checks on the I/O executor, then the directory claim; the CONNACK waits for its commit. */
    private CompletionStage<ConnectOutcome> admit(String deviceId, List<X509Certificate> path, MqttConnection conn) {
        X509Certificate leaf = path.get(0);
        Optional<DeviceRecord> rec = store.deviceRegistry().find(deviceId);
        String unknown = "NOT_REGISTERED";
        if (rec.isEmpty()) {
            // the dialect may register it now (AWS just-in-time provisioning): its first connection is then accepted
            unknown = dialect.registerUnknown(path);
            if (unknown == null) {
                rec = store.deviceRegistry().find(deviceId);
                unknown = "NOT_REGISTERED";
            }
        }
        String refusal = rec.isEmpty() ? unknown : refusal(rec.get());
        if (refusal != null) {
            return done(ConnectOutcome.refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, refusal,
                    rec.isEmpty() ? "device " + deviceId + " is not registered (DPS): " + refusal : "device " + deviceId + ": " + refusal
                            + " (assigned to " + rec.get().hub() + ", enabled " + rec.get().enabled() + ")"));
        }
        String serial = leaf.getSerialNumber().toString(16);
        // which CA's revocations to follow: looked up once per issuing CA, not per connection
        if (!trackedIssuers.contains(leaf.getIssuerX500Principal())) {
            String ca = store.certificates().findBySerial(serial).map(CertificateRecord::ca).orElse(null);
            if (ca != null) {
                live.track(ca);
                trackedIssuers.add(leaf.getIssuerX500Principal());
            }
        }
        // a fleet has few enrollments and many sessions: one copy of each name
        String enrollment = rec.get().enrollment() == null ? null : rec.get().enrollment().intern();
        DeviceSession s = dialect.session(this, deviceId, serial, enrollment, leaf.getNotAfter().toInstant(), conn, path);
        return store.sessions().claim(deviceId, settings.name(), bus.self(), Instant.now())
                .thenApplyAsync(claim -> admitted(s, claim), io)
                .exceptionally(e -> ConnectOutcome.refuse(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, "STORE_UNAVAILABLE",
                        "recording the session of " + deviceId + " failed: " + e.getMessage()));
    }

    /** The claim is committed: the session is live under its epoch; the one it replaced is closed wherever it is. */
    private ConnectOutcome admitted(DeviceSession s, SessionDirectory.Claim claim) {
        String deviceId = s.deviceId;
        s.epoch = claim.entry().epoch();
        DeviceSession loser = sessions.add(s);
        if (loser == s) {
            return ConnectOutcome.refuse(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, "SESSION_TAKEN",
                    "a newer connection of " + deviceId + " holds the session");
        }
        if (loser != null) {
            loser.conn.close("SESSION_TAKEN", "the device connected again");
        }
        // another node took this epoch over while the claim was on its way here: its SESSION_TAKEN
        // came before the session was in the table, so it found nothing to close
        if (taken.covers(deviceId, s.epoch)) {
            if (sessions.remove(s)) {
                store.sessions().release(deviceId, bus.self(), s.epoch, Instant.now());
            }
            return ConnectOutcome.refuse(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, "SESSION_TAKEN",
                    "a newer connection of " + deviceId + " on another node holds the session");
        }
        claim.previous().filter(p -> !p.node().equals(bus.self()) || !p.hub().equals(settings.name())).ifPresent(p -> {
            LOG.info("event=hub.session_taken hub={} device={} from_node={} from_hub={} epoch={}", settings.name(), deviceId, p.node(), p.hub(), p.epoch());
            sendSessionTaken(p, true);
        });
        // a disable or move committed between the registry read in admit() and this claim was sent
        // to the holder the directory named then (not this node): read the registry again now that
        // the session is in the table, where any later DEVICE_CHANGED finds it
        Optional<DeviceRecord> now = store.deviceRegistry().find(deviceId);
        String late = now.isEmpty() ? "NOT_REGISTERED" : refusal(now.get());
        if (late != null) {
            if (sessions.remove(s)) {
                store.sessions().release(deviceId, bus.self(), s.epoch, Instant.now());
            }
            LOG.info("event=hub.refused_after_claim hub={} device={} reason={}", settings.name(), deviceId, late);
            return ConnectOutcome.refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, late,
                    "device " + deviceId + ": " + late + " (changed while it connected)");
        }
        s.desiredFrom(() -> store.twins().get(deviceId).desiredVersion());
        // the validator (RFC 5280, whole seconds) accepts the certificate through notAfter's second:
        // closed at the first instant it would refuse, so a reconnect after the close is refused, not re-admitted.
        // One that expired between validation and here (the validator refuses expired ones, so only
        // that race) is the next sweep's, within a second, as any other
        expiry.added(s);
        LOG.info("event=hub.connected hub={} node={} device={} serial={} epoch={} remote={}", settings.name(), bus.self(), deviceId,
                s.serial, s.epoch, s.conn.remoteAddress());
        return ConnectOutcome.accept(s);
    }

    /** Closes the sessions whose certificate expired, then waits for the start of the next second. */
    private void sweepExpired() {
        try {
            expiry.sweep(System.currentTimeMillis(), sessions.all(), this::expired);
        } catch (RuntimeException e) {
            LOG.warn("event=hub.expiry_sweep_failed hub={} msg=\"{}\"", settings.name(), e.toString());
        }
        later(java.time.Duration.ofMillis(ExpirySweep.untilNextSecond(System.currentTimeMillis())), this::sweepExpired);
    }

    private void expired(DeviceSession s) {
        s.conn.close("CERTIFICATE_EXPIRED", "the session's certificate expired at " + s.notAfter);
    }

    /** Why a registered device may not be here now; null when it may. */
    String refusal(DeviceRecord d) {
        return dialect.registryRefusal(d, settings.name(),
                () -> store.enrollments().find(d.enrollment()).map(e -> e.enabled()).orElse(true));
    }

    void sessionClosed(DeviceSession s, String reason) {
        // a session closed before its claim committed has no epoch, and is not in the table
        if (sessions.remove(s)) {
            store.sessions().release(s.deviceId, bus.self(), s.epoch, Instant.now(), reason).exceptionally(e -> {
                // the row stays until this node's next start or its lease: messages to it are answered DEVICE_OFFLINE
                LOG.warn("event=hub.release_failed hub={} device={} msg=\"{}\"", settings.name(), s.deviceId, e.toString());
                return null;
            });
        }
    }

    /** Tells the previous holder to close its session; one more try a second later when the bus refuses. */
    private void sendSessionTaken(SessionDirectory.Entry p, boolean retry) {
        try {
            bus.send(p.node(), NodeMessage.of(NodeMessage.SESSION_TAKEN, bus.self(), p.deviceId(), p.epoch()));
        } catch (RuntimeException e) {
            if (retry) {
                LOG.info("event=hub.session_taken_retry device={} node={} msg=\"{}\"", p.deviceId(), p.node(), e.toString());
                later(SESSION_TAKEN_RETRY, () -> io(() -> {
                    sendSessionTaken(p, false);
                    return null;
                }));
            } else {
                // that node's lease ends its rows; its session goes when its node does
                LOG.warn("event=hub.session_taken_unsent device={} node={} msg=\"{}\"", p.deviceId(), p.node(), e.toString());
            }
        }
    }

    /**
     * Another node (or hub) took the device's session over: closes this hub's session of that
     * epoch or an older one, if any. Epochs only grow, so a session no newer than the one taken
     * is stale too. The epoch is remembered for a while: the message can come before this hub
     * has admitted that very session (its claim committed, {@link #admitted} not run yet), which
     * then refuses it instead of keeping a second session alive beside the new holder's.
     */
    void sessionTaken(String deviceId, long epoch) {
        taken.add(deviceId, epoch);
        DeviceSession s = sessions.get(deviceId).orElse(null);
        if (s != null && s.epoch != 0 && s.epoch <= epoch) {
            s.conn.close("SESSION_TAKEN", "the device connected to another node");
        }
    }

    // ---- live revocation ---------------------------------------------------------------

    /** Ends every session on a certificate with this serial (lower-case hex); the CA calls it on revocation. */
    public void certificateRevoked(String serialHex) {
        for (DeviceSession s : sessions.withSerial(serialHex)) {
            s.conn.close("REVOKED", "certificate " + serialHex + " was revoked");
        }
    }

    /**
     * Re-checks a device's registry record (on the I/O executor: callable from a bus thread) and
     * ends its session when it may no longer be here (disabled, moved to another hub, deleted).
     */
    public void deviceChanged(String deviceId) {
        if (sessions.get(deviceId).isEmpty()) {
            return;
        }
        io(() -> {
            DeviceSession s = sessions.get(deviceId).orElse(null);
            if (s != null) {
                Optional<DeviceRecord> rec = store.deviceRegistry().find(deviceId);
                String why = rec.isEmpty() ? "NOT_REGISTERED" : refusal(rec.get());
                if (why != null) {
                    s.conn.close(why, "device " + deviceId + " may no longer connect here");
                }
            }
            return null;
        });
    }

    /** Ends the sessions of devices admitted through this enrollment. */
    public void enrollmentDisabled(String enrollment) {
        for (DeviceSession s : sessions.all()) {
            if (enrollment.equals(s.enrollment)) {
                s.conn.close("ENROLLMENT_DISABLED", "enrollment " + enrollment + " was disabled");
            }
        }
    }

    /**
     * Ends every session of this hub: the node was declared dead while it lived (a long pause), so
     * the others removed its directory rows; its devices reconnect and claim their sessions again.
     */
    public void endAllSessions(String reason, String detail) {
        for (DeviceSession s : sessions.all()) {
            s.conn.close(reason, detail);
        }
    }

    // ---- for the back end --------------------------------------------------------------

    public String name() {
        return settings.name();
    }

    /** This hub's node (its bus's name): what the session directory records. */
    public String node() {
        return bus.self();
    }

    NodeBus bus() {
        return bus;
    }

    public HubSettings settings() {
        return settings;
    }

    public boolean isConnected(String deviceId) {
        return sessions.get(deviceId).isPresent();
    }

    public int sessionCount() {
        return sessions.size();
    }

    public String engine() {
        return server.engine();
    }

    Optional<DeviceSession> session(String deviceId) {
        return sessions.get(deviceId);
    }

    /** The registry the transport counts in; may be null. */
    MeterRegistry meters() {
        return meters;
    }

    Store store() {
        return store;
    }

    TelemetryPipeline telemetry() {
        return telemetry;
    }

    /** Runs {@code work} on the hub's timer thread after {@code delay}; nothing once the hub closed. */
    void later(java.time.Duration delay, Runnable work) {
        try {
            timers.schedule(work, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the hub is closing: its sessions go with it
        }
    }

    <T> CompletableFuture<T> io(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, io);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Stops accepting, closes every session, stores queued telemetry. Idempotent. */
    @Override
    public void close() {
        server.close();
        live.stop();
        timers.shutdownNow();
        telemetry.close();
        io.shutdown();
        try {
            io.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            store.sessions().removeSessions(bus.self(), settings.name());
        } catch (RuntimeException e) {
            // the next start of this node removes them; until then they answer DEVICE_OFFLINE
            LOG.warn("event=hub.directory_cleanup_failed hub={} node={} msg=\"{}\"", settings.name(), bus.self(), e.toString());
        }
        if (ownsBus) {
            bus.close();
        }
    }

    private static CompletionStage<ConnectOutcome> done(ConnectOutcome o) {
        return CompletableFuture.completedFuture(o);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
