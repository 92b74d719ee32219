package dev.imprint.hub;

import dev.imprint.ca.Authority;
import dev.imprint.ca.CaSettings;
import dev.imprint.ca.Credential;
import dev.imprint.ca.IssuanceRequest;
import dev.imprint.ca.IssuedCertificate;
import dev.imprint.cluster.LocalBus;
import dev.imprint.cluster.NodeBus;
import dev.imprint.hub.telemetry.TelemetrySink;
import dev.imprint.mqtt.ServerTls;
import dev.imprint.pki.CryptoProviders;
import dev.imprint.pki.KeyAlgorithm;
import dev.imprint.pki.validation.CertificateValidator;
import dev.imprint.pki.validation.RevocationSource;
import dev.imprint.store.DeviceRecord;
import dev.imprint.store.JdbcStore;
import dev.imprint.store.Store;
import dev.imprint.testkit.MovableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A real CA on a SQLite store in a temp folder, and a hub on a loopback address, wired as
 * {@code imprint up} wires them: store-backed revocation, the CA's revocation listener ending
 * sessions, device certificates issued by the CA and registered in the device registry.
 */
final class HubFixture implements AutoCloseable {
    final Path dir;
    final Store store;
    final Authority ca;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final Hub hub;
    final NodeBus bus;
    final HubBackend backend;
    final String host;
    /**
     * The validator's clock: the wall clock unless a test moves it back, to validate a
     * certificate as of that long before its session is admitted.
     */
    final MovableClock validatorClock = MovableClock.wall();

    /** A device credential: key and chain (leaf, issuing CA). */
    record Device(String id, PrivateKey key, List<X509Certificate> chain, String serial) {}

    HubFixture(Path dir, String host, String hubName, List<TelemetrySink> sinks) {
        this(dir, host, hubName, sinks, UnaryOperator.identity());
    }

    /** As above, with the CA's settings adjusted (e.g. a short operational validity). */
    HubFixture(Path dir, String host, String hubName, List<TelemetrySink> sinks, UnaryOperator<CaSettings> caSettings) {
        this(dir, host, hubName, sinks, caSettings, UnaryOperator.identity());
    }

    /** As above, with the validator's revocation source wrapped (to act between validation and admission). */
    HubFixture(Path dir, String host, String hubName, List<TelemetrySink> sinks, UnaryOperator<CaSettings> caSettings,
            UnaryOperator<RevocationSource> revocation) {
        CryptoProviders.install();
        this.dir = dir;
        this.host = host;
        this.store = JdbcStore.sqlite(dir.resolve("imprint.db"));
        this.ca = Authority.open(caSettings.apply(
                CaSettings.defaults(dir.resolve("pki"), "test-passphrase".toCharArray(), "http://127.0.0.1:1")), store);
        Credential server = ca.issueServerCertificate(hubName, List.of(), List.of(host));
        CertificateValidator validator = CertificateValidator.builder()
                .trustAnchor(ca.hierarchy().issuer("manufacturing"))
                .trustAnchor(ca.hierarchy().issuer("operational"))
                .revocation(revocation.apply(StoreRevocationSource.of(store.certificates())))
                .clock(validatorClock)
                .build();
        this.bus = new LocalBus("node-" + hubName);
        this.hub = Hub.start(HubSettings.of(hubName, host, host), store, validator,
                ServerTls.create(server.key(), server.fullChain(), true), sinks, meters, bus);
        this.backend = new HubBackend(store, bus, List.of(hub));
        ca.revocation().addListener((caName, serial) -> backend.certificateRevoked(serial));
    }

    /** Issues a device certificate (manufacturing CA) and registers the device on {@code hubName}. */
    Device device(String id, String hubName) {
        Device d = issue(id);
        register(id, hubName, d.serial());
        return d;
    }

    Device device(String id) {
        return device(id, hub.name());
    }

    Device issue(String id) {
        return issue(id, "manufacturing");
    }

    /** Issues a device certificate from the named CA ("manufacturing" or "operational"), unregistered. */
    Device issue(String id, String caName) {
        return issue(ca, id, caName);
    }

    /** A device certificate from {@code ca}'s named CA, unregistered. */
    static Device issue(Authority ca, String id, String caName) {
        try {
            KeyPair kp = KeyAlgorithm.EC_P256.generate();
            byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + id), kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
            IssuedCertificate c = ca.issue(IssuanceRequest.byAdmin("admin:test", caName, csr));
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(c.certificate());
            chain.add(c.chain().get(0));
            return new Device(id, kp.getPrivate(), chain, c.serialHex());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    void register(String id, String hubName, String serial) {
        register(store, id, hubName, serial);
    }

    /** Registers (DPS's part) the device as assigned to {@code hubName} and enabled. */
    static void register(Store store, String id, String hubName, String serial) {
        Instant now = Instant.now();
        store.deviceRegistry().save(new DeviceRecord(id, hubName, true, "test", "{}", "{}", "assigned", "initialAssignment",
                serial, 0, now, now), null);
    }

    X509Certificate root() {
        return ca.hierarchy().root();
    }

    /** A TLS context presenting {@code d}'s chain and trusting only this CA's root. */
    SSLContext ssl(Device d) {
        return ssl(d.key(), d.chain(), root());
    }

    static SSLContext ssl(PrivateKey key, List<X509Certificate> chain, X509Certificate trust) {
        try {
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
            SSLContext ctx = SSLContext.getInstance("TLSv1.2");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Refusals that did not end the connection (MQTT 5 PUBACK reason codes). */
    double refusals(String reason) {
        var c = meters.find("imprint.mqtt.refusals").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    double disconnects(String reason) {
        var c = meters.find("imprint.mqtt.disconnects").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    @Override
    public void close() {
        hub.close();
        backend.close();
        bus.close();
        ca.close();
        store.close();
    }
}
