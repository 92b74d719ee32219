package dev.imprint.server.up;

import dev.imprint.ca.Authority;
import dev.imprint.ca.CaSettings;
import dev.imprint.ca.Pkcs11Settings;
import dev.imprint.server.config.CaPassphrase;
import dev.imprint.server.config.ImprintConfig;
import dev.imprint.server.config.Roles;
import dev.imprint.server.http.AdminAuth;
import dev.imprint.server.http.AdminRoutes;
import dev.imprint.server.http.EstRoutes;
import dev.imprint.server.http.Http;
import dev.imprint.server.http.PkiRoutes;
import dev.imprint.server.http.Responses;
import dev.imprint.server.http.TlsSetup;
import dev.imprint.store.Store;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.imprint.dps.protocol.https.RequestDeadline;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Imprint node: the store and the roles configured for it (CA, admin, DPS, hubs), with the
 * plain-HTTP PKI repository and the HTTPS endpoint (EST, admin API, metrics, health) of its roles.
 * {@code imprint up} without a node name runs every role in one node on SQLite. {@link #close()} stops them in
 * reverse order: listeners first, then the CA (it records what is queued), then the store.
 */
public final class Node implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);

    private final Store store;
    private final Authority authority;
    private final Vertx vertx;
    private final List<HttpServer> servers;
    private final Endpoints endpoints;
    private final String tlsEngine;
    private volatile boolean closed;
    private AutoCloseable hubs = () -> { }; // the hub role, stopped before the CA
    private AutoCloseable nodes = () -> { }; // bus, membership, leadership: after the roles that use them
    private AutoCloseable events = () -> { }; // the device event relay (Kafka only)
    private io.micrometer.core.instrument.MeterRegistry meters; // in the global registry while this node runs
    private final dev.imprint.dps.ProvisioningService dps; // null when the DPS role did not start
    private List<io.vertx.ext.web.Route> httpsRoutes = List.of();

    private Node(Store store, Authority authority, Vertx vertx, List<HttpServer> servers, Endpoints endpoints, String tlsEngine,
            dev.imprint.dps.ProvisioningService dps) {
        this.dps = dps;
        this.store = store;
        this.authority = authority;
        this.vertx = vertx;
        this.servers = servers;
        this.endpoints = endpoints;
        this.tlsEngine = tlsEngine;
    }

    /**
     * Opens or initialises the data folder and starts the roles of {@code config.cluster()}: all
     * of them for {@code imprint up}, a subset for a node of a cluster.
     *
     * @throws Exception when the store, the CA or a listener cannot start (a port in use, a
     *     wrong CA passphrase, a credential a CA node has not written yet); whatever was started
     *     is closed again
     */
    public static Node start(ImprintConfig config, Map<String, String> env) throws Exception {
        System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        // the DPS counts its refusals in Micrometer's global registry: without this /metrics would not show them
        io.micrometer.core.instrument.Metrics.addRegistry(meters);
        ImprintConfig.Cluster cluster = config.cluster();
        Roles roles = cluster.roles();
        List<AutoCloseable> started = new ArrayList<>();
        started.add(() -> io.micrometer.core.instrument.Metrics.removeRegistry(meters));
        try {
            Store store = config.openStore();
            started.add(store);
            // with Kafka every node's writes add device events to the outbox; CA nodes relay it
            AutoCloseable events = KafkaEvents.start(config, store, roles.ca());
            started.add(events);
            // a node declared dead while alive lost its directory rows: its sessions must be made again
            java.util.concurrent.atomic.AtomicReference<Runnable> onSelfLost = new java.util.concurrent.atomic.AtomicReference<>(() -> { });
            ClusterServices nodes = ClusterServices.open(config, store, () -> onSelfLost.get().run());
            started.add(nodes);
            // only a CA node opens the CA's keys; every other role reaches it through a seam
            Authority authority = null;
            ServiceCredentials.Files creds = null;
            if (roles.ca()) {
                // one CA node per CA publishes CRLs (PostgreSQL advisory lock); every CA node serves the stored bytes;
                // each station's rate is shared by the live CA nodes
                CaSettings settings = caSettings(config, env, meters).withLeadership(nodes.leadership());
                authority = Authority.open(cluster.clustered() ? settings.withLiveCaNodes(() -> nodes.live("ca")) : settings, store);
                started.add(authority);
                creds = ServiceCredentials.ensure(authority, config);
                if (cluster.clustered()) {
                    NodeCredentials.ensure(authority, config);
                }
                // every hub node reads the revocation log when this rings (and every 5 s without it); the
                // CRL leader builds its delta on it (revocations made on other CA nodes)
                authority.revocation().addListener((ca, serial) -> nodes.bus().ring("revocations"));
                Authority ca = authority;
                nodes.bus().onDoorbell("revocations", () -> ca.revocation().revocationsChanged());
            }

            // behind balancers (cluster.balancers) the HTTPS listener takes PROXY headers from them only
            Vertx vertx = dev.imprint.dps.protocol.https.BalancedVertx.create(new VertxOptions()
                    .setWorkerPoolSize(config.https().workerThreads())
                    .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false)),
                    config.balancers(), "https", meters, config.https().connectionsPerSource());
            started.add(() -> vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
            List<HttpServer> servers = new ArrayList<>();
            if (roles.ca()) {
                ImprintConfig.Listener pkiAt = cluster.bind(config.pki());
                // plain HTTP, but facing anyone (OCSP POSTs a body): the same request deadline as HTTPS
                servers.add(await(RequestDeadline.install(vertx.createHttpServer(new HttpServerOptions()
                                .setHost(pkiAt.address()).setPort(pkiAt.port()).setTcpNoDelay(true)), config.https().requestDeadline(), "pki", meters)
                        .requestHandler(PkiRoutes.router(vertx, authority))
                        .listen()));
            }

            // DPS: the device API on a dps node; its admin model (enrollments, hubs) on an admin node
            dev.imprint.dps.ProvisioningService dps = null;
            if (roles.dps()) {
                dps = cluster.clustered() ? DpsRole.start(config, authority, store, () -> nodes.live("dps")) : DpsRole.startInUp(config, authority, store);
            } else if (roles.admin()) {
                dps = DpsRole.adminOnly(config, authority, store);
            }
            if (dps != null) {
                started.add(dps);
            }
            // hubs: the logical hubs this node serves (every configured one in 'imprint up')
            List<ImprintConfig.Hub> myHubs = config.hubs().stream().filter(h -> roles.servesHub(h.name())).toList();
            dev.imprint.server.hub.HubRole hubs = dev.imprint.server.hub.HubRole.start(config, myHubs, store, authority, meters, nodes.bus(),
                    roles.dps() && dps != null ? new DpsThingProvisioner(dps, config.awsTemplate()) : null);
            started.add(hubs);
            onSelfLost.set(() -> hubs.hubs().forEach(h -> h.endAllSessions("NODE_LEASE_LOST",
                    "this node was declared dead while it lived; reconnect to claim the session again")));
            if (dps != null) {
                // a re-registration that moved a device ends its session on the old hub; a disabled enrollment rings the hubs
                dps.onChanges(hubs.backend()::deviceChanged, () -> nodes.bus().ring("config"));
            }

            String engine = "-";
            Router httpsRouter = null;
            if (roles.ca() || roles.admin()) {
                TlsSetup.Options tls = TlsSetup.httpsOptions(vertx, config.https(), config.balancers(), creds.serverCert(), creds.serverKey());
                engine = tls.engine();
                Router https = Router.router(vertx);
                httpsRouter = https;
                https.get("/health").handler(ctx -> Responses.json(ctx, 200, health(config)));
                https.get("/metrics").handler(ctx -> Responses.text(ctx, 200, "text/plain; version=0.0.4; charset=utf-8", meters.scrape()));
                EstRoutes.mount(https, vertx, authority.est(), meters);
                if (cluster.clustered()) {
                    dev.imprint.server.http.NodeRoutes.mount(https, vertx, authority,
                            AdminAuth.nodes(authority.hierarchy().issuer("service"), store.certificates()), meters);
                }
                if (roles.admin()) {
                    AdminRoutes.mount(https, vertx, authority, new AdminAuth(authority.hierarchy().issuer("service"), store.certificates()),
                            new dev.imprint.server.access.Access(store.operators(), meters), meters);
                    dev.imprint.server.http.OperatorRoutes.mount(https, AdminRoutes.BASE, vertx,
                            new dev.imprint.server.access.OperatorAccounts(authority, store), store.audit());
                    dev.imprint.server.http.LedgerRoutes.mount(https, vertx, authority.ledger());
                    if (dps != null) {
                        dev.imprint.server.http.DpsAdminRoutes.mount(https, vertx, dps, authority);
                    }
                    dev.imprint.shadow.Shadows shadows = hubs.shadows();
                    dev.imprint.server.hub.HubRoutes.mount(https, vertx, hubs.backend(), shadows::twinDesiredPatched);
                    dev.imprint.server.shadow.ShadowRoutes.mount(https, vertx, shadows);
                    dev.imprint.server.http.DeviceAdminRoutes.mount(https, AdminRoutes.BASE, vertx, store, hubs.backend()::deviceChanged);
                    // the web console at / (session cookie from a one-time link minted with the admin credential)
                    dev.imprint.server.console.ConsoleRoutes.mount(https, vertx,
                            new dev.imprint.server.console.ConsoleRoutes.Services(authority, store, dps, meters), config.httpsBaseUrl(),
                            Console.page(endpoints(config, authority, dps)));
                    // the live overview (sampler, server-sent events) and the device page's routes behind the console session
                    dev.imprint.server.console.LiveConsole.mount(https, vertx, new dev.imprint.server.console.LiveConsole.Services(store, meters,
                            authority.hierarchy().names(), hubs.backend(), shadows::twinDesiredPatched), env);
                }
                Http.jsonErrors(https, meters);
                // one HTTPS server per core: Vert.x shares the port and spreads connections (and their
                // TLS work) over the event loops; a single server would put every handshake on one thread
                HttpServerOptions options = tls.options();
                ImprintConfig.Listener httpsAt = cluster.bind(config.https().listener());
                options.setHost(httpsAt.address()).setPort(httpsAt.port());
                for (int i = 0; i < Math.max(1, Runtime.getRuntime().availableProcessors()); i++) {
                    servers.add(await(RequestDeadline.install(vertx.createHttpServer(options), config.https().requestDeadline(), "https", meters)
                            .requestHandler(https).listen()));
                }
            }
            if (cluster.health() != null) {
                Router plain = Router.router(vertx);
                plain.get("/health").handler(ctx -> Responses.json(ctx, 200, health(config)));
                plain.get("/metrics").handler(ctx -> Responses.text(ctx, 200, "text/plain; version=0.0.4; charset=utf-8", meters.scrape()));
                servers.add(await(vertx.createHttpServer(new HttpServerOptions().setHost(cluster.health().address()).setPort(cluster.health().port()))
                        .requestHandler(plain).listen()));
            }

            Endpoints endpoints = null;
            // one process writes its own; in a cluster only the first CA node does (for the CLI), and
            // the launcher may replace it with one that also lists every node
            if (roles.ca()) {
                endpoints = endpoints(config, authority, dps);
                if (!cluster.clustered() || !java.nio.file.Files.exists(config.dataDir().resolve(Endpoints.FILE))) {
                    endpoints.write(config.dataDir());
                }
                LOG.info("event=up node={} roles={} engine={} pki={} est={} admin={} trust={}", cluster.node(), roles, engine,
                        endpoints.pki(), endpoints.est(), endpoints.admin(), endpoints.trust());
            } else {
                LOG.info("event=up node={} roles={} hubs={} dps={}", cluster.node(), roles, myHubs.stream().map(ImprintConfig.Hub::name).toList(),
                        dps != null);
            }
            Node server = new Node(store, authority, vertx, List.copyOf(servers), endpoints, engine, dps);
            server.hubs = hubs;
            server.nodes = nodes;
            server.events = events;
            server.httpsRoutes = httpsRouter == null ? List.of() : List.copyOf(httpsRouter.getRoutes());
            server.meters = meters;
            return server;
        } catch (Exception | Error e) {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static Map<String, Object> health(ImprintConfig config) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("status", "UP");
        if (config.cluster().clustered()) {
            m.put("node", config.cluster().node());
            m.put("roles", config.cluster().roles().names(config.hubs().stream().map(ImprintConfig.Hub::name).toList()));
        }
        return m;
    }

    /**
     * The CA's settings from the configuration (validities, CRL interval, PKCS#11 token or key
     * passphrase): one place for every command that opens the CA.
     *
     * @param meters may be null
     */
    public static CaSettings caSettings(ImprintConfig config, Map<String, String> env, io.micrometer.core.instrument.MeterRegistry meters) {
        ImprintConfig.Ca ca = config.ca();
        char[] passphrase = ca.pkcs11Config() != null && env.get(CaPassphrase.ENV) == null
                ? "unused-with-pkcs11".toCharArray()
                : CaPassphrase.resolve(config.dataDir(), env);
        CaSettings s = CaSettings.defaults(config.dataDir().resolve("pki"), passphrase, config.pkiBaseUrl())
                .withValidity(ca.manufacturingValidity(), ca.operationalValidity())
                .withCrlNextUpdate(ca.crlNextUpdate())
                .withExpiredCertificateRetention(ca.expiredCertificateRetention())
                .withMeterRegistry(meters);
        if (ca.pkcs11Config() != null) {
            s = s.withPkcs11(new Pkcs11Settings(ca.pkcs11Config(), ca.pkcs11Pin()));
        }
        return s;
    }

    private static Endpoints endpoints(ImprintConfig config, Authority authority, dev.imprint.dps.ProvisioningService dps) {
        String https = config.httpsBaseUrl();
        return new Endpoints(config.pkiBaseUrl(), https + EstRoutes.BASE, https + AdminRoutes.BASE, https + "/",
                authority.hierarchy().rootFile().toAbsolutePath().toString())
                .withDps(dps == null || !config.dps().enabled() ? null : DpsRole.endpoints(config, dps))
                .withHubs(config.hubs().stream().map(h -> new Endpoints.Hub(h.name(), h.hostname(), h.mqtt())).toList())
                .withKafka(config.kafka())
                .withAws(config.aws() == null ? null : Map.of("mqtt", config.aws().mqtt(), "template", config.awsTemplate()));
    }

    private static <T> T await(io.vertx.core.Future<T> f) throws Exception {
        try {
            return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    /** Where this node's CA-side endpoints listen; null on a node without the ca role. */
    public Endpoints endpoints() {
        return endpoints;
    }

    /**
     * Every route of the HTTPS endpoint as mounted (empty on a node without it), so a test can
     * check each admin route against the permission table.
     */
    public List<io.vertx.ext.web.Route> httpsRoutes() {
        return httpsRoutes;
    }

    public Authority authority() {
        return authority;
    }

    public Store store() {
        return store;
    }

    /** "openssl" (BoringSSL via netty-tcnative) or "jdk". */
    public String tlsEngine() {
        return tlsEngine;
    }

    /** Stops listening, lets the CA record what is queued, closes the store. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("event=stopping");
        if (dps != null) {
            dps.close();
        }
        try {
            for (HttpServer s : servers) {
                s.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("event=stop.listeners msg=\"{}\"", e.toString());
        }
        try {
            hubs.close();
        } catch (Exception e) {
            LOG.warn("event=stop.hubs msg=\"{}\"", e.toString());
        }
        try {
            nodes.close();
        } catch (Exception e) {
            LOG.warn("event=stop.cluster msg=\"{}\"", e.toString());
        }
        try {
            events.close();
        } catch (Exception e) {
            LOG.warn("event=stop.events msg=\"{}\"", e.toString());
        }
        try {
            if (authority != null) {
                authority.close();
            }
        } finally {
            store.close();
            if (meters != null) {
                io.micrometer.core.instrument.Metrics.removeRegistry(meters);
            }
        }
        LOG.info("event=stopped");
    }
}
