package dev.imprint.server.it;

import dev.imprint.ca.IssuanceRequest;
import dev.imprint.ca.IssuedCertificate;
import dev.imprint.pki.KeyAlgorithm;
import dev.imprint.pki.Pem;
import dev.imprint.server.cli.ImprintCommand;
import dev.imprint.server.config.ConfigLoader;
import dev.imprint.server.up.Node;
import dev.imprint.store.DeviceRecord;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import picocli.CommandLine;

/** Shared helpers of the integration tests: ports, in-process servers, the CLI, external tools. */
final class Fixture {
    static final Path JAR = Path.of("target", "imprint.jar").toAbsolutePath();

    private Fixture() {}

    /** A free TCP port on 127.0.0.1 (never the defaults, so a developer's own server is left alone). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** Environment for a server on fresh ports with a fixed CA passphrase. */
    static Map<String, String> env() throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("IMPRINT_PKI_PORT", Integer.toString(freePort()));
        env.put("IMPRINT_HTTPS_PORT", Integer.toString(freePort()));
        env.put("IMPRINT_CA_PASSPHRASE", "test-passphrase-not-secret");
        // one hub on a free port (not 127.0.0.3/4:8883, which a developer's own server uses)
        env.put("IMPRINT_HUBS", "hub-1=127.0.0.1:" + freePort());
        // the AWS endpoint (on by default at 127.0.0.5:8883) only where a test asks for it, on a port of its own
        env.put("IMPRINT_AWS_ENABLED", "false");
        return env;
    }

    static Node start(Path data, Map<String, String> env) throws Exception {
        return Node.start(ConfigLoader.load(data, env), env);
    }

    record Run(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    /** Runs the imprint CLI in this JVM. */
    static Run cli(String... args) {
        CommandLine cl = ImprintCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Runs an external program (openssl, curl) in {@code dir}, bounded in time. */
    static Run exec(Path dir, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        File out = Files.createTempFile(dir, "out", ".txt").toFile();
        File err = Files.createTempFile(dir, "err", ".txt").toFile();
        pb.redirectOutput(out).redirectError(err);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", cmd));
        }
        return new Run(p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
    }

    /** Like {@link #exec} but fails the test on a non-zero exit. */
    static Run ok(Path dir, String... cmd) throws Exception {
        Run r = exec(dir, cmd);
        if (r.code() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " exited " + r.code() + ":\n" + r.all());
        }
        return r;
    }

    /** An HTTPS client trusting Imprint's root, presenting {@code certPem}/{@code keyPem} when given. */
    static HttpClient https(Path root, Path certPem, Path keyPem) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("root", Pem.readCertificate(root));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        if (certPem != null) {
            List<X509Certificate> chain = new ArrayList<>(Pem.readCertificates(certPem));
            PrivateKey key = Pem.readPrivateKey(keyPem, null);
            ks.setKeyEntry("me", key, new char[0], chain.toArray(X509Certificate[]::new));
        }
        kmf.init(ks, new char[0]);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    /** A device registered on hub-1 with a manufacturing certificate, connected with Paho (MQTT 3.1.1) to the hub on {@code port}. */
    static MqttClient azureDevice(Node server, String id, int port) throws Exception {
        KeyPair kp = KeyAlgorithm.EC_P256.generate();
        byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + id), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
        IssuedCertificate cert = server.authority().issue(IssuanceRequest.byAdmin("admin:test", "manufacturing", csr));
        Instant now = Instant.now();
        server.store().deviceRegistry().save(new DeviceRecord(id, "hub-1", true, "test", "{}", "{}", "assigned", "initialAssignment",
                cert.serialHex(), 0, now, now), null);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("d", kp.getPrivate(), new char[0], new X509Certificate[] {cert.certificate(), cert.chain().get(0)});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("root", server.authority().hierarchy().root());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        MqttClient device = new MqttClient("ssl://127.0.0.1:" + port, id, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setSocketFactory(ssl.getSocketFactory());
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        device.connect(o);
        return device;
    }
}
