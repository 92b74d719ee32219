package dev.imprint.abuse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.ca.IssuanceRequest;
import dev.imprint.ca.IssuedCertificate;
import dev.imprint.pki.KeyAlgorithm;
import dev.imprint.pki.Pem;
import dev.imprint.server.cli.ImprintCommand;
import dev.imprint.server.config.ConfigLoader;
import dev.imprint.server.config.ImprintConfig;
import dev.imprint.server.up.Node;
import dev.imprint.store.DeviceRecord;
import dev.imprint.testkit.ClientTls;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import picocli.CommandLine;

/**
 * One real {@code imprint up} (every role: CA, EST, admin, DPS over HTTPS and MQTT, one hub) in
 * this JVM, shared by every abuse test of the run and closed when the run ends. It listens on
 * 127.0.6.x only (this module's own loopback addresses), on free ports, with short deadlines so
 * that a limit can be watched holding within the test budget:
 * the HTTPS request deadline 2 s, the hub's CONNECT deadline (TLS handshake included) 3 s,
 * packets up to 16 KiB, operational certificates living {@link #OPERATIONAL_LIFETIME}, 100 publishes a
 * second per connection, slow readers closed after 2 s; a second hub (hub-2) with 20 connections per source address.
 */
public final class LiveImprint implements ExtensionContext.Store.CloseableResource {
    static final String HTTPS_HOST = "127.0.6.1";
    static final String DPS_MQTT_HOST = "127.0.6.2";
    static final String HUB_HOST = "127.0.6.3";
    static final Duration REQUEST_DEADLINE = Duration.ofSeconds(2);
    static final Duration CONNECT_DEADLINE = Duration.ofSeconds(3);
    static final int MAX_MESSAGE_BYTES = 16 * 1024;
    static final Duration OPERATIONAL_LIFETIME = Duration.ofSeconds(4);
    /** The hub's publish rate per connection: low enough to be crossed within a test, above the bystander's 20 a second. */
    static final int PUBLISHES_PER_SECOND = 100;
    static final Duration SLOW_READER = Duration.ofSeconds(2);
    /**
     * The second hub's cap on connections per source address. On a hub of its own: the first keeps
     * the default (10,000), above the half-open case's 500 from one address ({@link TlsAbuseIT});
     * a cap that low could not be watched holding before the CONNECT deadline, accepting 500 TLS
     * connections takes seconds on a loaded machine.
     */
    static final int CONNECTIONS_PER_SOURCE = 20;
    static final String CAPPED_HUB_HOST = "127.0.11.5";
    /**
     * The cap on the HTTPS listener and the DPS's two: above the half-open case's 500 per listener
     * from one address; their handshake deadline (10 s) leaves time to watch it hold.
     */
    static final int LISTENER_CONNECTIONS_PER_SOURCE = Scale.of(600);
    static final ObjectMapper JSON = new ObjectMapper();

    final Path data;
    final Node node;
    final InetSocketAddress https;
    final InetSocketAddress dps;
    final InetSocketAddress dpsMqtt;
    final InetSocketAddress hub;
    /** hub-2: {@link #CONNECTIONS_PER_SOURCE}. */
    final InetSocketAddress cappedHub;
    final String idScope;
    final X509Certificate root;
    final SSLContext anonymous;
    final LogLines log;
    final Bystander bystander;

    private LiveImprint(Path data) throws Exception {
        this.data = data;
        this.log = LogLines.attach();
        Map<String, String> env = new HashMap<>();
        env.put("IMPRINT_CA_PASSPHRASE", "abuse-test-passphrase-not-secret");
        env.put("IMPRINT_PKI_ADDRESS", HTTPS_HOST);
        env.put("IMPRINT_PKI_PORT", Integer.toString(freePort(HTTPS_HOST)));
        env.put("IMPRINT_HTTPS_ADDRESS", HTTPS_HOST);
        env.put("IMPRINT_HTTPS_PORT", Integer.toString(freePort(HTTPS_HOST)));
        env.put("IMPRINT_HTTPS_REQUEST_TIMEOUT_SECONDS", Long.toString(REQUEST_DEADLINE.toSeconds()));
        env.put("IMPRINT_DPS_HTTPS_ADDRESS", HTTPS_HOST);
        env.put("IMPRINT_DPS_HTTPS_PORT", Integer.toString(freePort(HTTPS_HOST)));
        env.put("IMPRINT_DPS_MQTT_ADDRESS", DPS_MQTT_HOST);
        env.put("IMPRINT_DPS_MQTT_PORT", Integer.toString(freePort(DPS_MQTT_HOST)));
        env.put("IMPRINT_AWS_ENABLED", "false"); // on by default at 127.0.0.5:8883; not what this harness attacks
        // two hubs, the second with a per-source cap of its own (an entry's field; the env would set every hub's)
        Files.writeString(data.resolve("imprint.yaml"), "hubs:\n"
                + "  - {name: hub-1, address: " + HUB_HOST + ", port: " + freePort(HUB_HOST) + "}\n"
                + "  - {name: hub-2, address: " + CAPPED_HUB_HOST + ", port: " + freePort(CAPPED_HUB_HOST) + ", connectionsPerSource: "
                + CONNECTIONS_PER_SOURCE + "}\n");
        env.put("IMPRINT_HUB_CONNECT_TIMEOUT_SECONDS", Long.toString(CONNECT_DEADLINE.toSeconds()));
        env.put("IMPRINT_HUB_MAX_MESSAGE_BYTES", Integer.toString(MAX_MESSAGE_BYTES));
        env.put("IMPRINT_HUB_PUBLISHES_PER_SECOND", Integer.toString(PUBLISHES_PER_SECOND));
        env.put("IMPRINT_HUB_SLOW_READER_SECONDS", Long.toString(SLOW_READER.toSeconds()));
        env.put("IMPRINT_HTTPS_CONNECTIONS_PER_SOURCE", Integer.toString(LISTENER_CONNECTIONS_PER_SOURCE));
        env.put("IMPRINT_DPS_CONNECTIONS_PER_SOURCE", Integer.toString(LISTENER_CONNECTIONS_PER_SOURCE));
        long start = System.nanoTime();
        ImprintConfig c = ConfigLoader.load(data, env);
        ImprintConfig.Ca ca = c.ca();
        this.node = Node.start(c.withCa(new ImprintConfig.Ca(OPERATIONAL_LIFETIME, ca.manufacturingValidity(), ca.crlNextUpdate(),
                ca.pkcs11Config(), ca.pkcs11Pin())), env);
        URI est = URI.create(node.endpoints().est());
        this.https = new InetSocketAddress(est.getHost(), est.getPort());
        URI d = URI.create(node.endpoints().dps().get("https"));
        this.dps = new InetSocketAddress(d.getHost(), d.getPort());
        URI dm = URI.create(node.endpoints().dps().get("mqtt"));
        this.dpsMqtt = new InetSocketAddress(dm.getHost(), dm.getPort());
        URI h = URI.create(node.endpoints().hubs().get(0).mqtt());
        this.hub = new InetSocketAddress(h.getHost(), h.getPort());
        URI h2 = URI.create(node.endpoints().hubs().get(1).mqtt());
        this.cappedHub = new InetSocketAddress(h2.getHost(), h2.getPort());
        this.idScope = node.endpoints().dps().get("idScope");
        this.root = Pem.readCertificate(Path.of(node.endpoints().trust()));
        this.anonymous = ClientTls.anonymous(root);
        // a first JDK handshake loads and JITs the TLS stack: not something a device's first CONNECT should pay within the deadline
        Scrape.of(this);
        this.bystander = Bystander.start(this, device("bystander"));
        Figures.add(String.format("server start (fresh data folder: CA keys, store, every role) and the bystander connected | | %.1f s | | | | |",
                (System.nanoTime() - start) / 1e9));
    }

    /** The run's server, started on first use (in {@code BeforeAll}) and closed after the last test class. */
    static LiveImprint get(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(LiveImprint.class, k -> {
            try {
                return new LiveImprint(Files.createTempDirectory("imprint-abuse"));
            } catch (Exception e) {
                throw new IllegalStateException("cannot start imprint up for the abuse tests: " + e, e);
            }
        }, LiveImprint.class);
    }

    /** Starts the shared server before a test class; the class then calls {@link #shared()}. */
    static final class Extension implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            current = get(context);
        }
    }

    private static volatile LiveImprint current;

    static LiveImprint shared() {
        return current;
    }

    /** A device's key and certificate chain, and a TLS context presenting them. */
    record Device(String id, KeyPair key, IssuedCertificate cert) {
        SSLContext tls(X509Certificate trust) {
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(cert.certificate());
            chain.add(cert.chain().get(0));
            return ClientTls.context(key.getPrivate(), chain, trust);
        }

        Instant notAfter() {
            return cert.certificate().getNotAfter().toInstant();
        }
    }

    /** A registered device of hub-1 with a factory (manufacturing) certificate: valid for years. */
    Device device(String id) throws Exception {
        return device(id, "manufacturing");
    }

    /** A registered device of hub-1 whose certificate comes from {@code ca} ("operational" lives {@link #OPERATIONAL_LIFETIME}). */
    Device device(String id, String ca) throws Exception {
        KeyPair kp = KeyAlgorithm.EC_P256.generate();
        IssuedCertificate cert = node.authority().issue(IssuanceRequest.byAdmin("admin:abuse-test", ca, csr(id, kp)));
        Instant now = Instant.now();
        node.store().deviceRegistry().save(new DeviceRecord(id, "hub-1", true, "abuse", "{}", "{}", "assigned",
                "initialAssignment", cert.serialHex(), 0, now, now), null);
        return new Device(id, kp, cert);
    }

    static byte[] csr(String id, KeyPair kp) throws Exception {
        return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + id), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
    }

    /** Runs the imprint CLI in this JVM against the data folder; fails on a non-zero exit. */
    String cli(String... args) {
        CommandLine cl = ImprintCommand.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--data");
        all.add(data.toString());
        int code = cl.execute(all.toArray(String[]::new));
        if (code != 0) {
            throw new AssertionError("imprint " + String.join(" ", args) + " exited " + code + ": " + out);
        }
        return out.toString();
    }

    JsonNode endpointsJson() throws IOException {
        return JSON.readTree(data.resolve("endpoints.json").toFile());
    }

    static int freePort(String address) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(address))) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        bystander.close();
        node.close();
        log.detach();
        Figures.print();
        try (java.util.stream.Stream<Path> all = Files.walk(data)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.out.println("abuse: cannot delete " + data + ": " + e);
        }
    }
}
