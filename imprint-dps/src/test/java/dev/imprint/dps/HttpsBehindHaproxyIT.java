package dev.imprint.dps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.imprint.dps.protocol.https.BalancedVertx;
import dev.imprint.dps.protocol.https.HttpsDeviceApi;
import dev.imprint.mqtt.proxy.Balancers;
import dev.imprint.pki.Pem;
import dev.imprint.testkit.Haproxy;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The DPS's HTTPS device API behind a real HAProxy ({@code mode tcp}, {@code send-proxy-v2}),
 * driven by curl with a device certificate: client 127.0.0.40, HAProxy 127.0.0.30 (its one
 * balancer), DPS 127.0.0.12. Vert.x listeners get the same rule as the MQTT transport.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpsBehindHaproxyIT {
    private static final String CLIENT = "127.0.0.40";
    private static final String BALANCER = "127.0.0.30";
    private static final String NAME = "dps.imprint.test"; // in the DPS server certificate

    private DpsFixture f;
    private ProvisioningService dps;
    private Haproxy haproxy;
    private Path dir;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Haproxy.installed(), "haproxy is not installed (" + Haproxy.BINARY + "); scripts/test installs it");
        this.dir = dir;
        f = new DpsFixture(dir);
        dps = ProvisioningService.start(f.settings().withRateLimits(0, 0).withBalancers(Balancers.parse(BALANCER)), f.store, f.issuer());
        dps.ensureDefaults(f.manufacturing());
        haproxy = Haproxy.start(dir, BALANCER, BALANCER, List.of(new InetSocketAddress(DpsFixture.HOST, dps.httpsPort())));
        logs.start();
        ((Logger) LoggerFactory.getLogger(HttpsDeviceApi.class)).addAppender(logs);
        ((Logger) LoggerFactory.getLogger(BalancedVertx.class)).addAppender(logs);
        DpsFixture.Device d = f.device("lb-1");
        Files.writeString(dir.resolve("root.pem"), Pem.write(f.root()));
        Files.writeString(dir.resolve("device.pem"), Pem.write(d.tlsChain()));
        Files.writeString(dir.resolve("device.key"), Pem.write(d.key().getPrivate()));
    }

    @AfterAll
    void stop() {
        ((Logger) LoggerFactory.getLogger(HttpsDeviceApi.class)).detachAppender(logs);
        ((Logger) LoggerFactory.getLogger(BalancedVertx.class)).detachAppender(logs);
        if (haproxy != null) {
            haproxy.close();
        }
        if (dps != null) {
            dps.close();
        }
        if (f != null) {
            f.close();
        }
    }

    @Test
    void registration_through_haproxy_is_accepted() throws Exception {
        Curl r = curl(CLIENT, BALANCER, haproxy.routes().get(0).frontendPort(), "PUT", "/" + DpsFixture.ID_SCOPE + "/registrations/lb-1/register");
        assertThat(r.out()).as(r.toString()).contains("\"status\":\"assigning\"").endsWith("202");
    }

    @Test
    void refusal_through_haproxy_is_logged_with_the_device_address() throws Exception {
        Curl r = curl(CLIENT, BALANCER, haproxy.routes().get(0).frontendPort(), "PUT", "/wrong-scope/registrations/lb-1/register");
        assertThat(r.out()).as(r.toString()).endsWith("404");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(logs.list).anySatisfy(e ->
                assertThat(e.getFormattedMessage()).contains("event=dps.https.refused remote=" + CLIENT + ":")));
        assertThat(logs.list).noneSatisfy(e -> assertThat(e.getFormattedMessage()).contains("event=dps.https.refused remote=" + BALANCER));
    }

    @Test
    void direct_client_without_header_is_served_as_before() throws Exception {
        Curl r = curl(CLIENT, DpsFixture.HOST, dps.httpsPort(), "PUT", "/wrong-scope/registrations/lb-1/register");
        assertThat(r.out()).as(r.toString()).endsWith("404");
    }

    @Test
    void balancer_address_without_header_is_refused() throws Exception {
        Curl r = curl(BALANCER, DpsFixture.HOST, dps.httpsPort(), "PUT", "/" + DpsFixture.ID_SCOPE + "/registrations/lb-1/register");
        assertThat(r.exit()).as(r.toString()).isNotZero();
        awaitRefusal("PROXY_HEADER_MISSING", BALANCER);
    }

    @Test
    void proxy_header_from_a_stranger_is_refused() throws Exception {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(CLIENT, 0));
            s.connect(new InetSocketAddress(DpsFixture.HOST, dps.httpsPort()), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("PROXY TCP4 198.51.100.9 127.0.0.12 4444 9443\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readUntilClosed(s.getInputStream())).isEqualTo(-1);
        }
        awaitRefusal("PROXY_NOT_ALLOWED", CLIENT);
    }

    private void awaitRefusal(String reason, String remote) {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(logs.list).anySatisfy(e ->
                assertThat(e.getFormattedMessage()).contains("event=https.refused server=dps remote=/" + remote + ":").contains("reason=" + reason)));
    }

    private static int readUntilClosed(InputStream in) throws IOException {
        int r;
        while ((r = in.read()) >= 0) {
            // nothing expected before the close
        }
        return r;
    }

    record Curl(int exit, String out) {}

    /** curl from {@code source}, to {@code host:port} under the certificate's name, with the device certificate. */
    private Curl curl(String source, String host, int port, String method, String path) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "--interface", source,
                "--resolve", NAME + ":" + port + ":" + host, "--cacert", dir.resolve("root.pem").toString(),
                "--cert", dir.resolve("device.pem").toString(), "--key", dir.resolve("device.key").toString(),
                "-X", method, "-H", "Content-Type: application/json", "--data", "{\"registrationId\":\"lb-1\"}",
                "-w", "%{http_code}", "https://" + NAME + ":" + port + path + "?api-version=2021-06-01"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new Curl(p.exitValue(), out);
    }
}
