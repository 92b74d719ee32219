package dev.imprint.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imprint.pki.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's {@code mosquitto_pub}/{@code mosquitto_sub} (package mosquitto-clients) as devices,
 * against a hub on 127.0.0.15:8883. Skipped with a message when the tools are not installed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MosquittoClientsIT {
    static final String HOST = "127.0.0.15";
    @TempDir
    static Path dir;
    static HubFixture fx;

    @BeforeAll
    static void start() {
        Assumptions.assumeTrue(onPath("mosquitto_pub") && onPath("mosquitto_sub"),
                "mosquitto_pub/mosquitto_sub not installed (apt-get install mosquitto-clients): skipping the mosquitto client tests");
        fx = new HubFixture(dir, HOST, "hub-mosq", List.of());
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    /** The MQTT 5 cases, on this class's hub. */
    @Nested
    class Mqtt5 extends Mqtt5Cases {
        @Override
        HubFixture fx() {
            return fx;
        }

        @Override
        Path dir() {
            return dir;
        }
    }

    static boolean onPath(String tool) {
        for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(p, tool))) {
                return true;
            }
        }
        return false;
    }

    static List<String> tlsArgs(HubFixture.Device d) throws IOException {
        return tlsArgs(dir, fx, d, "mqttv311");
    }

    /** Writes the device's key, chain and the root as PEM in {@code dir}; returns the arguments for {@code fx}'s hub. */
    static List<String> tlsArgs(Path dir, HubFixture fx, HubFixture.Device d, String version) throws IOException {
        Path cert = dir.resolve(d.id() + ".crt");
        Path key = dir.resolve(d.id() + ".key");
        Path ca = dir.resolve("root.crt");
        Files.writeString(cert, Pem.write(d.chain().toArray()));
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(d.key().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        Files.writeString(ca, Pem.write(fx.root()));
        return List.of("-h", fx.host, "-p", "8883", "--cafile", ca.toString(), "--cert", cert.toString(), "--key", key.toString(),
                "-i", d.id(), "-V", version);
    }

    record Run(int exit, String out) {}

    static Run run(List<String> cmd, int timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Run(-1, new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void mosquitto_pub_sends_telemetry_with_a_device_certificate() throws Exception {
        HubFixture.Device d = fx.device("mosq-pub");
        List<String> cmd = new ArrayList<>(List.of("mosquitto_pub"));
        cmd.addAll(tlsArgs(d));
        cmd.addAll(List.of("-q", "1", "-t", "devices/mosq-pub/messages/events/source=cli", "-m", "{\"t\":1}"));
        Run r = run(cmd, 20);
        assertThat(r.exit()).as(r.out()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> !fx.backend.telemetry("mosq-pub", 1).isEmpty());
        assertThat(fx.backend.telemetry("mosq-pub", 1).get(0).properties()).isEqualTo("{\"source\":\"cli\"}");
    }

    @Test
    void mosquitto_sub_receives_a_queued_cloud_to_device_message() throws Exception {
        HubFixture.Device d = fx.device("mosq-sub");
        fx.backend.sendC2d(d.id(), "hello cli".getBytes(StandardCharsets.UTF_8), Map.of(), null);
        List<String> cmd = new ArrayList<>(List.of("mosquitto_sub"));
        cmd.addAll(tlsArgs(d));
        cmd.addAll(List.of("-q", "1", "-t", "devices/mosq-sub/messages/devicebound/#", "-C", "1", "-W", "15"));
        Run r = run(cmd, 30);
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("hello cli");
    }

    @Test
    void mosquitto_pub_to_another_devices_topic_is_refused() throws Exception {
        fx.device("mosq-victim");
        HubFixture.Device d = fx.device("mosq-intruder");
        List<String> cmd = new ArrayList<>(List.of("mosquitto_pub"));
        cmd.addAll(tlsArgs(d));
        cmd.addAll(List.of("-q", "1", "-t", "devices/mosq-victim/messages/events/", "-m", "spoof"));
        Run r = run(cmd, 20);
        assertThat(r.exit()).as(r.out()).isNotZero();
        Thread.sleep(300);
        assertThat(fx.backend.telemetry("mosq-victim", 10)).isEmpty();
        assertThat(fx.disconnects("FOREIGN_TOPIC")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void mosquitto_pub_with_a_revoked_certificate_is_refused() throws Exception {
        HubFixture.Device d = fx.device("mosq-revoked");
        fx.ca.revocation().revoke(d.serial(), 1, "admin:test");
        List<String> cmd = new ArrayList<>(List.of("mosquitto_pub"));
        cmd.addAll(tlsArgs(d));
        cmd.addAll(List.of("-q", "1", "-t", "devices/mosq-revoked/messages/events/", "-m", "x"));
        Run r = run(cmd, 20);
        assertThat(r.exit()).as(r.out()).isNotZero();
        assertThat(r.out()).containsIgnoringCase("not authori");
    }
}
