package dev.imprint.kafka;

import dev.imprint.ca.Authority;
import dev.imprint.ca.CaSettings;
import dev.imprint.ca.Credential;
import dev.imprint.ca.IssuanceRequest;
import dev.imprint.ca.IssuedCertificate;
import dev.imprint.cluster.LocalBus;
import dev.imprint.hub.Hub;
import dev.imprint.hub.HubSettings;
import dev.imprint.hub.StoreRevocationSource;
import dev.imprint.mqtt.ServerTls;
import dev.imprint.pki.CryptoProviders;
import dev.imprint.pki.KeyAlgorithm;
import dev.imprint.pki.validation.CertificateValidator;
import dev.imprint.store.DeviceRecord;
import dev.imprint.store.JdbcStore;
import dev.imprint.store.Store;
import dev.imprint.testkit.ClientTls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** A real CA on SQLite in a temp folder, and hubs on a loopback address (127.0.2.1 unless given) whose durable telemetry step is Kafka. */
final class KafkaHubFixture implements AutoCloseable {
    static final String HOST = "127.0.2.1";
    final Store store;
    final Authority ca;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final LocalBus bus = new LocalBus("node-kafka");
    private final List<Hub> hubs = new ArrayList<>();
    private final CertificateValidator validator;
    private final String host;

    record Device(String id, SSLContext ssl, java.security.cert.X509Certificate certificate, String serial, java.security.PrivateKey key,
            List<java.security.cert.X509Certificate> chain) {}

    KafkaHubFixture(Path dir) {
        this(dir, HOST);
    }

    KafkaHubFixture(Path dir, String host) {
        this.host = host;
        CryptoProviders.install();
        this.store = JdbcStore.sqlite(dir.resolve("imprint.db"));
        this.ca = Authority.open(CaSettings.defaults(dir.resolve("pki"), "test-passphrase".toCharArray(), "http://127.0.0.1:1"), store);
        this.validator = CertificateValidator.builder()
                .trustAnchor(ca.hierarchy().issuer("manufacturing"))
                .revocation(StoreRevocationSource.of(store.certificates()))
                .build();
        // as a node does: a revocation rings the hubs, which end the sessions it concerns
        ca.revocation().addListener((caName, serial) -> bus.ring("revocations"));
    }

    /** A hub on a free port of this fixture's address keeping no SQL telemetry; its durable step is a {@link KafkaEgress}. */
    Hub hub(String name, KafkaSettings kafka) {
        Credential server = ca.issueServerCertificate(name, List.of(), List.of(host));
        HubSettings d = HubSettings.of(name, host, host).withPort(freePort(host));
        HubSettings s = new HubSettings(d.name(), d.hostname(), d.bindAddress(), d.port(), d.limits(), d.telemetryMaxAge(), 0,
                d.c2dTtl(), d.watchInterval(), d.balancers());
        Hub hub = Hub.start(s, store, validator, ServerTls.create(server.key(), server.fullChain(), true),
                List.of(new KafkaEgress(kafka, name, bus.self(), meters)), meters, bus);
        hubs.add(hub);
        return hub;
    }

    /** A hub on a free port of {@code host} as one node of a cluster: its own bus, no telemetry sink, meters of its own
     * (the other tests count disconnects); the caller closes it (before the bus). */
    Hub node(String hubName, String host, dev.imprint.cluster.NodeBus nodeBus) {
        Credential server = ca.issueServerCertificate(hubName, List.of(), List.of(host));
        return Hub.start(HubSettings.of(hubName, host, host).withPort(freePort(host)), store, validator,
                ServerTls.create(server.key(), server.fullChain(), true), List.of(), new SimpleMeterRegistry(), nodeBus);
    }

    /** A device certificate from the manufacturing CA, the device registered on {@code hub}. */
    Device device(String id, String hub) {
        Device d = issue(id, csr -> IssuanceRequest.byAdmin("admin:test", "manufacturing", csr));
        Instant now = Instant.now();
        store.deviceRegistry().save(new DeviceRecord(id, hub, true, "test", "{}", "{}", "assigned", "initialAssignment",
                d.serial(), 0, now, now), null);
        return d;
    }

    /** A re-enrollment (EST simplereenroll's issuance): a new key and an operational certificate for the same device. */
    Device rotate(Device d) {
        return issue(d.id(), csr -> IssuanceRequest.reenroll(d.certificate(), csr));
    }

    private Device issue(String id, java.util.function.Function<byte[], IssuanceRequest> request) {
        try {
            KeyPair kp = KeyAlgorithm.EC_P256.generate();
            byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + id), kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
            IssuedCertificate c = ca.issue(request.apply(csr));
            List<java.security.cert.X509Certificate> chain = List.of(c.certificate(), c.chain().get(0));
            return new Device(id, ClientTls.context(kp.getPrivate(), chain, ca.hierarchy().root()), c.certificate(), c.serialHex(),
                    kp.getPrivate(), chain);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    double disconnects(String reason) {
        var c = meters.find("imprint.mqtt.disconnects").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    static int freePort(String host) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(host, 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        hubs.forEach(Hub::close);
        bus.close();
        ca.close();
        store.close();
    }
}
