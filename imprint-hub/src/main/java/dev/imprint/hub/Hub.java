package dev.imprint.hub;

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
import dev.imprint.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
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
 * An IoT hub: an MQTT 3.1.1 broker over mutual TLS for the devices DPS assigned to it.
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
 * <p>Live sessions end within 2 s of a revocation ({@link #certificateRevoked}, called by the
 * in-process CA, and a store poll for other processes), of the device or its enrollment being
 * disabled, and when the certificate expires. Thread-safe.
 */
public final class Hub implements MqttApplication, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Hub.class);
    /** Imprint's device certificates carry the ID in this SAN URI; other CAs put it in the CN. */
    static final String DEVICE_URI_PREFIX = "urn:imprint:device:";

    private final HubSettings settings;
    private final Store store;
    private final CertificateValidator validator;
    private final ConcurrentHashMap<String, DeviceSession> sessions = new ConcurrentHashMap<>();
    private final java.util.Set<javax.security.auth.x500.X500Principal> trackedIssuers = ConcurrentHashMap.newKeySet();
    private final ExecutorService io;
    private final ScheduledExecutorService timers;
    private final TelemetryPipeline telemetry;
    private final LiveRevocation live;
    private final MqttTlsServer server;

    private Hub(HubSettings settings, Store store, CertificateValidator validator, ServerTls tls, List<TelemetrySink> sinks, MeterRegistry meters) {
        this.settings = settings;
        this.store = store;
        this.validator = validator;
        AtomicInteger n = new AtomicInteger();
        this.io = Executors.newFixedThreadPool(4, r -> daemon(r, "imprint-" + settings.name() + "-io-" + n.incrementAndGet()));
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "imprint-" + settings.name() + "-timers"));
        this.telemetry = new TelemetryPipeline(settings.name(), store.telemetry(), sinks, settings.telemetryMaxAge(),
                settings.telemetryMaxRows(), 100_000, meters);
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
                .build();
    }

    /**
     * Starts a hub: marks its devices offline in the store, binds, starts the revocation watch.
     *
     * @param validator the shared validator with the device anchors (manufacturing and
     *     operational CAs) and a revocation source; identity sources SAN URI then CN
     * @throws IllegalStateException when the address cannot be bound
     */
    public static Hub start(HubSettings settings, Store store, CertificateValidator validator, ServerTls tls,
            List<TelemetrySink> sinks, MeterRegistry meters) {
        Hub hub = new Hub(settings, store, validator, tls, sinks, meters);
        store.presence().hubReset(settings.name(), Instant.now());
        try {
            hub.server.start();
        } catch (RuntimeException e) {
            hub.close();
            throw e;
        }
        hub.live.start(hub.timers, settings.watchInterval());
        return hub;
    }

    private Verdict validate(List<X509Certificate> chain) {
        return validator.validate(ValidationRequest.builder().chain(chain).possession(PossessionProof.tlsHandshake()).build());
    }

    @Override
    public CompletionStage<ConnectOutcome> connect(ConnectRequest req, MqttConnection conn) {
        if (req.verdict() instanceof Verdict.Refused r) {
            return done(ConnectOutcome.refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, r.reason().name(),
                    "certificate refused at step " + r.step().number() + ": " + r.detail()));
        }
        Verdict.Accepted a = (Verdict.Accepted) req.verdict();
        String deviceId = deviceId(a.identity());
        if (!deviceId.equals(req.clientId())) {
            return done(ConnectOutcome.refuse(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, "IDENTITY_MISMATCH",
                    "client ID '" + req.clientId() + "' is not the certificate's identity '" + deviceId + "'"));
        }
        if (req.username() != null && !usernameMatches(req.username(), deviceId)) {
            return done(ConnectOutcome.refuse(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD, "USERNAME_MISMATCH",
                    "username '" + req.username() + "' does not name device " + deviceId));
        }
        X509Certificate leaf = a.path().get(0);
        return io(() -> admit(deviceId, leaf, conn));
    }

    /** Registry checks and session registration, on the I/O executor. */
    private ConnectOutcome admit(String deviceId, X509Certificate leaf, MqttConnection conn) {
        Optional<DeviceRecord> rec = store.deviceRegistry().find(deviceId);
        String refusal = rec.isEmpty() ? "NOT_REGISTERED" : refusal(rec.get());
        if (refusal != null) {
            return ConnectOutcome.refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, refusal,
                    rec.isEmpty() ? "device " + deviceId + " is not registered (DPS)" : "device " + deviceId + ": " + refusal
                            + " (assigned to " + rec.get().hub() + ", enabled " + rec.get().enabled() + ")");
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
        DeviceSession s = new DeviceSession(this, deviceId, serial, rec.get().enrollment(), leaf.getNotAfter().toInstant(), conn);
        DeviceSession old = sessions.put(deviceId, s);
        if (old != null) {
            old.conn.close("SESSION_TAKEN_OVER", "the device connected again");
        }
        // the validator (RFC 5280, whole seconds) accepts the certificate through notAfter's second:
        // close at the first instant it would refuse, so a reconnect after the close is refused, not re-admitted
        long untilExpiry = s.notAfter.plusSeconds(1).toEpochMilli() - System.currentTimeMillis();
        timers.schedule(() -> {
            if (sessions.get(deviceId) == s) {
                s.conn.close("CERTIFICATE_EXPIRED", "the session's certificate expired at " + s.notAfter);
            }
        }, Math.max(0, untilExpiry), TimeUnit.MILLISECONDS);
        store.presence().connected(deviceId, settings.name(), Instant.now());
        LOG.info("event=hub.connected hub={} device={} serial={} remote={}", settings.name(), deviceId, serial, conn.remoteAddress());
        return ConnectOutcome.accept(s);
    }

    /** Why a registered device may not be here now; null when it may. */
    String refusal(DeviceRecord d) {
        if (!d.hub().equals(settings.name())) {
            return "NOT_ASSIGNED_TO_HUB";
        }
        if (!d.enabled()) {
            return "DEVICE_DISABLED";
        }
        boolean enrollmentOn = store.enrollments().find(d.enrollment()).map(e -> e.enabled()).orElse(true);
        return enrollmentOn ? null : "ENROLLMENT_DISABLED";
    }

    void sessionClosed(DeviceSession s, String reason) {
        if (sessions.remove(s.deviceId, s)) {
            io(() -> {
                store.presence().disconnected(s.deviceId, settings.name(), Instant.now());
                return null;
            });
        }
    }

    // ---- live revocation ---------------------------------------------------------------

    /** Ends every session on a certificate with this serial (lower-case hex); the CA calls it on revocation. */
    public void certificateRevoked(String serialHex) {
        for (DeviceSession s : sessions.values()) {
            if (s.serial.equals(serialHex)) {
                s.conn.close("REVOKED", "certificate " + serialHex + " was revoked");
            }
        }
    }

    /** Re-checks a device's registry record and ends its session when it may no longer be here. */
    public void deviceChanged(String deviceId) {
        DeviceSession s = sessions.get(deviceId);
        if (s == null) {
            return;
        }
        Optional<DeviceRecord> rec = store.deviceRegistry().find(deviceId);
        String why = rec.isEmpty() ? "NOT_REGISTERED" : refusal(rec.get());
        if (why != null) {
            s.conn.close(why, "device " + deviceId + " may no longer connect here");
        }
    }

    /** Ends the sessions of devices admitted through this enrollment. */
    public void enrollmentDisabled(String enrollment) {
        for (DeviceSession s : sessions.values()) {
            if (enrollment.equals(s.enrollment)) {
                s.conn.close("ENROLLMENT_DISABLED", "enrollment " + enrollment + " was disabled");
            }
        }
    }

    // ---- for the back end --------------------------------------------------------------

    public String name() {
        return settings.name();
    }

    public HubSettings settings() {
        return settings;
    }

    public boolean isConnected(String deviceId) {
        return sessions.containsKey(deviceId);
    }

    public int sessionCount() {
        return sessions.size();
    }

    public String engine() {
        return server.engine();
    }

    Optional<DeviceSession> session(String deviceId) {
        return Optional.ofNullable(sessions.get(deviceId));
    }

    Collection<DeviceSession> sessions() {
        return sessions.values();
    }

    Store store() {
        return store;
    }

    TelemetryPipeline telemetry() {
        return telemetry;
    }

    <T> CompletableFuture<T> io(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, io);
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
        store.presence().hubReset(settings.name(), Instant.now());
    }

    /** {@code urn:imprint:device:ID} -> ID; any other identity (a CN) as is. */
    static String deviceId(String identity) {
        return identity.startsWith(DEVICE_URI_PREFIX) ? identity.substring(DEVICE_URI_PREFIX.length()) : identity;
    }

    /**
     * The Azure SDK's {@code {hubHost}/{deviceId}/?api-version=...}: the device part must be the
     * device. A username without '/' (a plain client's) is not checked: the certificate authenticates.
     */
    static boolean usernameMatches(String username, String deviceId) {
        String[] parts = username.split("/", 3);
        return parts.length == 1 || parts[1].equals(deviceId);
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
