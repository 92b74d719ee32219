package dev.imprint.dps;

import dev.imprint.dps.allocation.Allocators;
import dev.imprint.dps.allocation.LatencyProbe;
import dev.imprint.dps.enrollment.Enrollment;
import dev.imprint.dps.enrollment.Enrollments;
import dev.imprint.dps.enrollment.ReprovisionPolicy;
import dev.imprint.dps.protocol.https.BalancedVertx;
import dev.imprint.dps.protocol.https.HttpsDeviceApi;
import dev.imprint.dps.protocol.mqtt.MqttDeviceApi;
import dev.imprint.dps.registration.Attestation;
import dev.imprint.dps.registration.OperationalIssuer;
import dev.imprint.dps.registration.Operations;
import dev.imprint.dps.registration.RateLimiter;
import dev.imprint.dps.registration.Registrar;
import dev.imprint.store.HubRecord;
import dev.imprint.store.Store;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device provisioning service: devices attest with their factory certificate over mutual
 * TLS, are matched to an enrollment, allocated to a hub and recorded in the device registry
 * the hubs read; spoken in the Azure DPS device protocol over HTTPS and MQTT.
 *
 * <p>{@link #start} binds the device APIs; {@link #registrar()} is the same pipeline without a
 * transport (tests, benchmarks). Enrollments and hubs are managed through {@link #enrollments()}
 * and the store's {@link Store#hubs()}. Close once.
 */
public final class ProvisioningService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProvisioningService.class);
    /** How often expired operations are deleted from the store (they are unknown to polls from their expiry on). */
    static final Duration SWEEP_INTERVAL = Duration.ofMinutes(1);

    /** Hubs created on first run when none exist: hub-1 on 127.0.0.3, hub-2 on 127.0.0.4. */
    public static final List<HubRecord> DEFAULT_HUBS = List.of(
            new HubRecord("hub-1", "127.0.0.3", "mqtts://127.0.0.3:8883", null, 100, java.time.Instant.EPOCH),
            new HubRecord("hub-2", "127.0.0.4", "mqtts://127.0.0.4:8883", null, 100, java.time.Instant.EPOCH));

    private final DpsSettings settings;
    private final Store store;
    private final Enrollments enrollments;
    private final Registrar registrar;
    private final Operations operations;
    private final Vertx vertx;
    private final OperationalIssuer issuer;
    private HttpsDeviceApi https;
    private MqttDeviceApi mqtt;

    private ProvisioningService(DpsSettings settings, Store store, OperationalIssuer issuer) {
        this.settings = settings;
        this.store = store;
        this.issuer = issuer;
        this.enrollments = new Enrollments(store.enrollments(), settings.clock(), settings.enrollmentRefresh());
        this.operations = new Operations(store.deviceRegistry(), settings.clock(), settings.operationTtl());
        Attestation attestation = new Attestation(settings.anchors(), settings.revocation(), enrollments, settings.clock());
        this.registrar = new Registrar(attestation, enrollments,
                new Allocators(new LatencyProbe(Duration.ofMillis(500), Duration.ofMinutes(1), settings.clock())),
                store.deviceRegistry(), store.hubs(), issuer,
                new RateLimiter(settings.overallPerSecond(), settings.perDevicePerMinute(), settings.liveDpsNodes(), System::nanoTime),
                operations, settings.clock());
        this.vertx = BalancedVertx.create(new VertxOptions().setWorkerPoolSize(Math.max(8, 4 * Runtime.getRuntime().availableProcessors())),
                settings.balancers(), "dps", null, settings.connectionsPerSource());
        // every node sweeps: deleting the same expired rows twice is harmless, and no node is special
        vertx.setPeriodic(SWEEP_INTERVAL.toMillis(), t -> vertx.executeBlocking(this::sweep, false));
    }

    private volatile Runnable enrollmentsChanged = () -> { };

    /**
     * Hooks for the roles that hold devices' sessions (DPS does not know the hub): {@code
     * deviceChanged} gets the ID of a device a re-registration moved to another hub (after the
     * commit), {@code enrollmentsChanged} runs after an enrollment was enabled, disabled or removed.
     * Both must return quickly.
     */
    public void onChanges(java.util.function.Consumer<String> deviceChanged, Runnable enrollmentsChanged) {
        registrar.onDeviceMoved(deviceChanged);
        this.enrollmentsChanged = enrollmentsChanged;
    }

    /** Call after an enrollment was enabled, disabled or removed (admin API). */
    public void enrollmentsChanged() {
        enrollmentsChanged.run();
    }

    /** The service without listeners (call {@link #listen()} to bind the device APIs). */
    public static ProvisioningService create(DpsSettings settings, Store store, OperationalIssuer issuer) {
        return new ProvisioningService(settings, store, issuer);
    }

    /**
     * Creates the service and binds HTTPS (and MQTT unless its port is -1).
     *
     * @param issuer issues operational certificates for registrations with a CSR; null refuses them (CSR_REFUSED)
     * @throws IllegalStateException when an address cannot be bound; nothing stays open then
     */
    public static ProvisioningService start(DpsSettings settings, Store store, OperationalIssuer issuer) {
        ProvisioningService s = new ProvisioningService(settings, store, issuer);
        try {
            return s.listen();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Binds the device APIs. @throws IllegalStateException when an address cannot be bound */
    public ProvisioningService listen() {
        https = HttpsDeviceApi.start(vertx, settings.httpsHost(), settings.httpsPort(), settings.serverKey(),
                settings.serverChain(), settings.idScope(), registrar, settings.retryAfterSeconds(), settings.balancers(), settings.requestDeadline());
        if (settings.mqttPort() >= 0) {
            mqtt = MqttDeviceApi.start(settings, registrar);
        }
        return this;
    }

    /** {@link #ensureDefaults(X509Certificate, List)} with {@link #DEFAULT_HUBS}. */
    public void ensureDefaults(X509Certificate manufacturingCa) {
        ensureDefaults(manufacturingCa, DEFAULT_HUBS);
    }

    /**
     * First run: records {@code hubs} (the hubs this installation runs) when there are none, and
     * the group enrollment {@code default} for {@code manufacturingCa} (hashed allocation over
     * those hubs, reprovisionAndMigrate) when there is no enrollment at all. Later runs change
     * nothing: hubs and enrollments are then managed through the admin API.
     */
    public void ensureDefaults(X509Certificate manufacturingCa, List<HubRecord> hubs) {
        List<String> names = hubs.stream().map(HubRecord::name).toList();
        if (store.hubs().list().isEmpty()) {
            for (HubRecord h : hubs) {
                store.hubs().add(new HubRecord(h.name(), h.hostname(), h.mqtt(), h.region(), h.weight(), settings.clock().instant()));
            }
            LOG.info("event=dps.defaults hubs={}", String.join(",", names));
        }
        if (store.enrollments().list().isEmpty()) {
            java.time.Instant now = settings.clock().instant();
            var json = dev.imprint.dps.protocol.Wire.JSON;
            enrollments.add(new Enrollment("default", Enrollment.Kind.GROUP, manufacturingCa, null, null, "hashed",
                    json.createObjectNode(), names, json.createObjectNode(), json.createObjectNode(),
                    ReprovisionPolicy.REPROVISION_AND_MIGRATE, true, now, now));
            LOG.info("event=dps.defaults enrollment=default ca=\"{}\"", manufacturingCa.getSubjectX500Principal().getName());
        }
    }

    /** Deletes expired operations now (also done every {@link #SWEEP_INTERVAL}); returns how many. */
    public int sweep() {
        try {
            int n = operations.sweep();
            if (n > 0) {
                LOG.debug("event=dps.operations.swept count={}", n);
            }
            return n;
        } catch (RuntimeException e) {
            LOG.warn("event=dps.operations.sweep_failed msg=\"{}\"", e.toString());
            return 0;
        }
    }

    public Registrar registrar() {
        return registrar;
    }

    /** Issues operational certificates (the AWS endpoint's create-from-csr too); null when this service issues none. */
    public OperationalIssuer issuer() {
        return issuer;
    }

    public Enrollments enrollments() {
        return enrollments;
    }

    public Store store() {
        return store;
    }

    public DpsSettings settings() {
        return settings;
    }

    /** The bound HTTPS port (useful with port 0), or -1 before {@link #listen()}. */
    public int httpsPort() {
        return https == null ? -1 : https.port();
    }

    /** "openssl" or "jdk", or null before {@link #listen()}. */
    public String tlsEngine() {
        return https == null ? null : https.engine();
    }

    /** Stops the listeners. Does not close the store. Idempotent. */
    @Override
    public synchronized void close() {
        if (mqtt != null) {
            mqtt.close();
            mqtt = null;
        }
        if (https != null) {
            https.close();
            https = null;
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("event=dps.close msg=\"{}\"", e.toString());
        }
    }
}
