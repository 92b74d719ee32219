package dev.imprint.mqtt.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.imprint.mqtt.ConnectOutcome;
import dev.imprint.mqtt.Disconnector;
import dev.imprint.mqtt.MqttSession;
import dev.imprint.mqtt.MqttTlsServer;
import dev.imprint.mqtt.ServerTls;
import dev.imprint.pki.validation.CertificateValidator;
import dev.imprint.pki.validation.PossessionProof;
import dev.imprint.pki.validation.RevocationSource;
import dev.imprint.pki.validation.ValidationRequest;
import dev.imprint.pki.validation.Verdict;
import dev.imprint.testkit.Haproxy;
import dev.imprint.testkit.TestPki;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A real Paho client with a device certificate, through a real HAProxy ({@code mode tcp},
 * {@code send-proxy-v2}, TLS passed through) to an {@link MqttTlsServer} that has HAProxy's address
 * as its one balancer. Loopback addresses keep the three parties apart: client 127.0.0.40,
 * HAProxy 127.0.0.30 (frontend and the source of its backend connections), server 127.0.0.1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyProtocolIT {
    private static final String CLIENT = "127.0.0.40";
    private static final String BALANCER = "127.0.0.30";

    private final TestPki pki = TestPki.create();
    private final TestPki foreign = TestPki.foreignWithSameSubjects(pki);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    /** What the application saw per client ID: the verdict and the client's address. */
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private MqttTlsServer server;
    private Haproxy haproxy;

    record Seen(Verdict verdict, SocketAddress remote) {}

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Haproxy.installed(), "haproxy is not installed (" + Haproxy.BINARY + "); scripts/test installs it");
        TestPki.Issued serverCert = pki.cert("CN=mqtt.proxy.test", pki.issuingCa()).dns("mqtt.proxy.test")
                .eku("1.3.6.1.5.5.7.3.1").issueLeaf();
        CertificateValidator validator = CertificateValidator.builder().trustAnchor(pki.root()).revocation(RevocationSource.NONE).build();
        server = MqttTlsServer.builder()
                .name("proxy-it")
                .bind("127.0.0.1", 0)
                .ioThreads(1)
                .tls(ServerTls.create(serverCert.key().getPrivate(), serverCert.chain(), true))
                .validator(chain -> validator.validate(ValidationRequest.builder().chain(chain).possession(PossessionProof.tlsHandshake()).build()))
                .application((req, conn) -> {
                    seen.put(req.clientId(), new Seen(req.verdict(), conn.remoteAddress()));
                    if (req.verdict() instanceof Verdict.Refused r) {
                        return CompletableFuture.completedFuture(ConnectOutcome.refuse(
                                MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, r.reason().name(), r.detail()));
                    }
                    return CompletableFuture.completedFuture(ConnectOutcome.accept(new Idle()));
                })
                .meters(meters)
                .balancers(Balancers.parse(BALANCER))
                .build()
                .start();
        haproxy = Haproxy.start(dir, BALANCER, BALANCER, List.of(new InetSocketAddress("127.0.0.1", server.port())));
        logs.start();
        ((Logger) LoggerFactory.getLogger(Disconnector.class)).addAppender(logs);
    }

    @AfterAll
    void stop() {
        ((Logger) LoggerFactory.getLogger(Disconnector.class)).detachAppender(logs);
        if (haproxy != null) {
            haproxy.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void device_through_haproxy_is_validated_and_seen_with_its_own_address() throws Exception {
        MqttClient c = client(haproxy.routes().get(0).frontend(), "dev-1", pki.device("dev-1"));
        try {
            Seen s = seen.get("dev-1");
            assertThat(s.verdict()).isInstanceOf(Verdict.Accepted.class);
            assertThat(((Verdict.Accepted) s.verdict()).identity()).contains("dev-1");
            assertThat(((InetSocketAddress) s.remote()).getAddress()).isEqualTo(InetAddress.getByName(CLIENT));
        } finally {
            c.disconnect();
            c.close();
        }
    }

    @Test
    void foreign_device_through_haproxy_is_refused_by_the_validator_and_logged_with_its_own_address() throws Exception {
        assertThatThrownBy(() -> client(haproxy.routes().get(0).frontend(), "dev-2", foreign.device("dev-2")))
                .isInstanceOf(MqttException.class);
        assertThat(seen.get("dev-2").verdict()).isInstanceOf(Verdict.Refused.class);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(logs.list)
                .anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("client=dev-2").contains("remote=/" + CLIENT + ":")
                        .doesNotContain("remote=/" + BALANCER)));
    }

    @Test
    void direct_device_without_header_connects_as_before() throws Exception {
        MqttClient c = client(new InetSocketAddress("127.0.0.1", server.port()), "dev-3", pki.device("dev-3"));
        try {
            assertThat(((InetSocketAddress) seen.get("dev-3").remote()).getAddress()).isEqualTo(InetAddress.getByName(CLIENT));
        } finally {
            c.disconnect();
            c.close();
        }
    }

    @Test
    void proxy_header_from_a_stranger_is_refused() throws Exception {
        double before = count("PROXY_NOT_ALLOWED");
        try (Socket s = socketFrom(CLIENT)) {
            s.getOutputStream().write(v2Header("198.51.100.9", 4444));
            assertThat(readUntilClosed(s.getInputStream())).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> count("PROXY_NOT_ALLOWED") == before + 1);
    }

    @Test
    void balancer_address_without_header_is_refused() throws Exception {
        double before = count("PROXY_HEADER_MISSING");
        try (Socket s = socketFrom(BALANCER)) {
            s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xF4, 0x01, 0x00, 0x00, (byte) 0xF0, 0x03, 0x03, 0x00, 0x00});
            assertThat(readUntilClosed(s.getInputStream())).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> count("PROXY_HEADER_MISSING") == before + 1);
    }

    // ---- helpers ------------------------------------------------------------------------

    private double count(String reason) {
        var c = meters.find("imprint.mqtt.disconnects").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    private Socket socketFrom(String source) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(source, 0));
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    private static int readUntilClosed(InputStream in) throws IOException {
        int r;
        while ((r = in.read()) >= 0) {
            // the server may answer nothing; anything it sends before closing is ignored
        }
        return r;
    }

    private static byte[] v2Header(String source, int port) throws IOException {
        byte[] src = InetAddress.getByName(source).getAddress();
        byte[] dst = InetAddress.getByName("127.0.0.1").getAddress();
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.write(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0x00, 0x0C});
        b.write(src);
        b.write(dst);
        b.write(new byte[] {(byte) (port >> 8), (byte) port, 0x22, (byte) 0xB3});
        return b.toByteArray();
    }

    private MqttClient client(InetSocketAddress to, String id, TestPki.Issued device) throws Exception {
        MqttClient c = new MqttClient("ssl://" + to.getHostString() + ":" + to.getPort(), id, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setSocketFactory(new BoundSocketFactory(ssl(device.key().getPrivate(), device.chain(), pki.root()).getSocketFactory(), CLIENT));
        o.setHttpsHostnameVerificationEnabled(false);
        o.setConnectionTimeout(10);
        o.setAutomaticReconnect(false);
        o.setCleanSession(true);
        c.connect(o);
        return c;
    }

    private static SSLContext ssl(PrivateKey key, List<X509Certificate> chain, X509Certificate trust) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("device", key, new char[0], chain.toArray(X509Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("root", trust);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /** Paho's sockets, bound to a source address of the test's choosing before they connect. */
    private static final class BoundSocketFactory extends SSLSocketFactory {
        private final SSLSocketFactory d;
        private final String source;

        BoundSocketFactory(SSLSocketFactory d, String source) {
            this.d = d;
            this.source = source;
        }

        @Override
        public Socket createSocket() throws IOException {
            Socket s = d.createSocket();
            s.bind(new InetSocketAddress(source, 0));
            return s;
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            return d.createSocket(s, host, port, autoClose);
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return d.createSocket(host, port, InetAddress.getByName(source), 0);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return d.createSocket(host, port, localHost, localPort);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return d.createSocket(host, port, InetAddress.getByName(source), 0);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            return d.createSocket(address, port, localAddress, localPort);
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return d.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return d.getSupportedCipherSuites();
        }
    }

    private static final class Idle implements MqttSession {
        @Override
        public java.util.concurrent.CompletionStage<Void> onPublish(String topic, int qos, byte[] payload) {
            return DONE;
        }

        @Override
        public List<Integer> onSubscribe(List<Subscription> filters) {
            return filters.stream().map(f -> 0).toList();
        }

        @Override
        public void onUnsubscribe(List<String> filters) { }

        @Override
        public void onClose(String reason) { }
    }
}
