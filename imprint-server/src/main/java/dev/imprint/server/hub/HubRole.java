package dev.imprint.server.hub;

import dev.imprint.ca.Authority;
import dev.imprint.ca.Credential;
import dev.imprint.cluster.LocalBus;
import dev.imprint.cluster.NodeBus;
import dev.imprint.hub.Hub;
import dev.imprint.hub.HubBackend;
import dev.imprint.hub.HubDialect;
import dev.imprint.hub.HubSettings;
import dev.imprint.hub.StoreRevocationSource;
import dev.imprint.hub.telemetry.JsonLinesFileWriter;
import dev.imprint.hub.telemetry.QueuedSink;
import dev.imprint.hub.telemetry.TelemetrySink;
import dev.imprint.hub.telemetry.TelemetryWriter;
import dev.imprint.hub.telemetry.WebhookWriter;
import dev.imprint.mqtt.ServerTls;
import dev.imprint.pki.Pem;
import dev.imprint.pki.validation.CertificateValidator;
import dev.imprint.server.PrivateFiles;
import dev.imprint.server.config.ImprintConfig;
import dev.imprint.shadow.ShadowEvents;
import dev.imprint.shadow.ShadowMessage;
import dev.imprint.shadow.Shadows;
import dev.imprint.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The hub role of {@code imprint up} (and of {@code imprint hub --name NAME} alone): which hubs
 * run, their TLS credentials, the shared validator, the sinks, and the back end.
 *
 * <p>Configuration: the {@code hubs} list and the {@code hub.*} settings of
 * {@link ImprintConfig} (environment {@code IMPRINT_HUBS}, {@code IMPRINT_HUB_*}). Each hub's
 * server credential (service CA, IP or DNS SANs of its address and host name) is issued on
 * first start, and again when the address or host name changed, into
 * {@code <data>/hubs/NAME.crt|.key}, where {@code imprint hub} finds it.
 */
public final class HubRole implements AutoCloseable {
    private static final int SINK_QUEUE = 100_000;

    /** The node name of a single process ({@code imprint up}, {@code imprint hub}) in the session directory. */
    public static final String LOCAL_NODE = "local";

    private final List<Hub> hubs;
    private final HubBackend backend;
    private final NodeBus bus;
    private final boolean ownsBus;
    private final Shadows shadows;

    private HubRole(List<Hub> hubs, Store store, NodeBus bus, boolean ownsBus, Shadows shadows, AtomicReference<HubBackend> backendRef) {
        this.hubs = List.copyOf(hubs);
        this.bus = bus;
        this.ownsBus = ownsBus;
        this.backend = new HubBackend(store, bus, hubs);
        this.shadows = shadows;
        backendRef.set(backend);
    }

    /**
     * The shadow service of this node, built before the hubs (the AWS endpoint answers shadow
     * requests with it) and bound to their back end once it exists: a classic shadow's desired
     * change reaches an Azure-dialect device as a twin desired patch, a back-end update's events
     * reach an AWS-dialect device on its shadow topics, wherever its session is.
     */
    private static Shadows shadows(ImprintConfig config, Store store, MeterRegistry meters, AtomicReference<HubBackend> backend) {
        boolean aws = config.aws() != null;
        return new Shadows(store.shadows(), config.shadow(), new ShadowEvents() {
            @Override
            public void publish(String thing, List<ShadowMessage> messages) {
                HubBackend b = backend.get();
                if (aws && b != null) {
                    b.shadowEvents(thing, messages);
                }
            }

            @Override
            public void desiredChanged(String thing, long twinVersion, String patchJson) {
                HubBackend b = backend.get();
                if (b != null) {
                    b.desiredChanged(thing, twinVersion, patchJson);
                }
            }
        }, Clock.systemUTC(), meters, id -> store.deviceRegistry().find(id).isPresent());
    }

    /**
     * Starts the hubs this node serves, on the node's bus (not closed by {@link #close}).
     *
     * @param authority the CA in this process, or null: then each hub's credential is the one a CA
     *     node wrote, and revocations reach the hubs through the store (and the cluster's doorbell)
     */
    public static HubRole start(ImprintConfig config, List<ImprintConfig.Hub> hubs, Store store, Authority authority, MeterRegistry meters,
            NodeBus bus) throws IOException {
        return start(config, hubs, store, authority, meters, bus, null);
    }

    /**
     * As above, with the AWS endpoint's fleet and just-in-time provisioning done by {@code
     * provisioner} (this node's provisioning service; null when it runs none: then refused).
     */
    public static HubRole start(ImprintConfig config, List<ImprintConfig.Hub> hubs, Store store, Authority authority, MeterRegistry meters,
            NodeBus bus, dev.imprint.hub.ThingProvisioner provisioner) throws IOException {
        boolean ownsBus = false;
        List<Hub> started = new ArrayList<>();
        AtomicReference<HubBackend> backendRef = new AtomicReference<>();
        Shadows shadows = shadows(config, store, meters, backendRef);
        List<ImprintConfig.Hub> listeners = new ArrayList<>(hubs);
        if (config.aws() != null && config.cluster().roles().servesHub(config.aws().name())) {
            listeners.add(config.aws());
        }
        try {
            for (ImprintConfig.Hub h : listeners) {
                if (authority != null) {
                    ensureCredential(config.dataDir(), h, authority);
                }
                HubDialect dialect = h == config.aws() ? HubDialect.aws(shadows, provisioner, config.awsServerKeys(), store.sharedSecrets()) : HubDialect.azure();
                started.add(start(config, store, h, config.cluster().bind(h.listener()), meters, bus, dialect));
            }
        } catch (IOException | RuntimeException e) {
            started.forEach(Hub::close);
            if (ownsBus) {
                bus.close();
            }
            throw e;
        }
        HubRole role = new HubRole(started, store, bus, ownsBus, shadows, backendRef);
        if (authority != null) {
            authority.revocation().addListener((ca, serial) -> role.backend.certificateRevoked(serial));
        }
        return role;
    }

    /**
     * Starts one hub of the configuration alone (another process than the CA): credentials and
     * anchors from the data folder written by {@code imprint up}; revocations reach it through
     * the store poll.
     *
     * @throws IllegalArgumentException when no hub of that name is configured
     * @throws IOException when {@code imprint up} never ran on this data folder
     */
    public static HubRole startOne(ImprintConfig config, Store store, String name, MeterRegistry meters) throws IOException {
        ImprintConfig.Hub hub = config.hubs().stream().filter(h -> h.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no hub named " + name + " in the hubs configuration (configured: "
                        + String.join(", ", config.hubs().stream().map(ImprintConfig.Hub::name).toList()) + ")"));
        // a node name of its own: rows named "local" would belong to (and be cleared by) an "imprint up" on the same store
        NodeBus bus = new LocalBus(LOCAL_NODE + "-" + name);
        try {
            AtomicReference<HubBackend> backendRef = new AtomicReference<>();
            return new HubRole(List.of(start(config, store, hub, config.cluster().bind(hub.listener()), meters, bus, HubDialect.azure())), store, bus,
                    true, shadows(config, store, meters, backendRef), backendRef);
        } catch (IOException | RuntimeException e) {
            bus.close();
            throw e;
        }
    }

    private static Hub start(ImprintConfig config, Store store, ImprintConfig.Hub h, ImprintConfig.Listener bindAt, MeterRegistry meters,
            NodeBus bus, HubDialect dialect) throws IOException {
        Path dataDir = config.dataDir();
        Path pki = dataDir.resolve("pki");
        CertificateValidator validator = CertificateValidator.builder()
                .trustAnchor(Pem.readCertificate(pki.resolve("manufacturing.crt")))
                .trustAnchor(Pem.readCertificate(pki.resolve("operational.crt")))
                .revocation(StoreRevocationSource.of(store.certificates()))
                .build();
        List<X509Certificate> chain = Pem.readCertificates(dataDir.resolve("hubs").resolve(h.name() + ".crt"));
        PrivateKey key = Pem.readPrivateKey(dataDir.resolve("hubs").resolve(h.name() + ".key"), null);
        HubSettings settings = HubSettings.of(h.name(), h.hostname(), bindAt.address())
                .withPort(bindAt.port())
                .withLimits(h.limits())
                .withTelemetryMaxAge(h.telemetryRetention())
                .withBalancers(config.balancers());
        if (config.kafka() != null) {
            settings = KafkaTelemetry.window(settings, config.kafka());
        }
        Hub hub = Hub.start(settings, store, validator, ServerTls.create(key, chain, true), sinks(config, h, bus, meters), meters, bus, dialect);
        // device sessions this node holds for the hub (the MQTT connection gauge also counts connections not yet a session)
        io.micrometer.core.instrument.Gauge.builder("imprint.hub.sessions", hub, Hub::sessionCount).tag("hub", h.name())
                .description("device sessions held by this node").register(meters);
        return hub;
    }

    private static List<TelemetrySink> sinks(ImprintConfig config, ImprintConfig.Hub h, NodeBus bus, MeterRegistry meters) throws IOException {
        List<TelemetrySink> out = new ArrayList<>();
        ImprintConfig.Kafka kafka = config.kafka();
        if (kafka != null) {
            out.add(KafkaTelemetry.egress(kafka, h.name(), bus.self(), meters));
        }
        if (h.telemetryFile() != null) {
            TelemetryWriter w = new JsonLinesFileWriter(h.telemetryFile());
            out.add(kafka != null ? KafkaTelemetry.worker(kafka, h.name(), "jsonl", w, meters) : QueuedSink.start("jsonl", w, SINK_QUEUE));
        }
        if (h.webhook() != null) {
            TelemetryWriter w = new WebhookWriter(h.webhook());
            out.add(kafka != null ? KafkaTelemetry.worker(kafka, h.name(), "webhook", w, meters) : QueuedSink.start("webhook", w, SINK_QUEUE));
        }
        return out;
    }

    public static void ensureCredential(Path dataDir, ImprintConfig.Hub h, Authority authority) throws IOException {
        Path crt = dataDir.resolve("hubs").resolve(h.name() + ".crt");
        Path key = dataDir.resolve("hubs").resolve(h.name() + ".key");
        List<String> names = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        for (String n : new LinkedHashSet<>(List.of(h.listener().address(), h.hostname()))) {
            (n.matches("[0-9.]+") || n.contains(":") ? ips : names).add(n);
        }
        if (Files.exists(crt) && Files.exists(key) && covers(Pem.readCertificates(crt).get(0), names, ips)) {
            return;
        }
        Credential c = authority.issueServerCertificate(h.name(), names, ips);
        Files.createDirectories(crt.getParent());
        PrivateFiles.write(key, Pem.write(c.key()).getBytes(StandardCharsets.US_ASCII));
        PrivateFiles.writePublic(crt, Pem.write(c.fullChain().toArray()).getBytes(StandardCharsets.US_ASCII));
    }

    /** Whether the certificate names every host name and address the hub is configured with. */
    private static boolean covers(X509Certificate cert, List<String> names, List<String> ips) throws IOException {
        Set<String> sans = new HashSet<>();
        try {
            if (cert.getSubjectAlternativeNames() != null) {
                for (List<?> san : cert.getSubjectAlternativeNames()) {
                    sans.add(String.valueOf(san.get(1)).toLowerCase(Locale.ROOT));
                }
            }
        } catch (java.security.cert.CertificateParsingException e) {
            return false;
        }
        for (String ip : ips) {
            if (!sans.contains(ip) && !sans.contains(InetAddress.getByName(ip).getHostAddress())) {
                return false;
            }
        }
        return names.stream().allMatch(n -> sans.contains(n.toLowerCase(Locale.ROOT)));
    }

    /** The shadow service: the admin API's, and the AWS endpoint's. */
    public Shadows shadows() {
        return shadows;
    }

    public HubBackend backend() {
        return backend;
    }

    public List<Hub> hubs() {
        return hubs;
    }

    /** This node's bus: where revocation and config doorbells are rung. */
    public NodeBus bus() {
        return bus;
    }

    @Override
    public void close() {
        // hubs first: the inbox still handles what it took (answered DEVICE_OFFLINE now), then leaves the rest to the bus
        hubs.forEach(Hub::close);
        backend.close();
        if (ownsBus) {
            bus.close();
        }
    }
}
