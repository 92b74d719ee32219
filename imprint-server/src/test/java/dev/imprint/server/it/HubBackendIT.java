package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.ca.IssuanceRequest;
import dev.imprint.ca.IssuedCertificate;
import dev.imprint.pki.KeyAlgorithm;
import dev.imprint.server.up.Node;
import dev.imprint.store.DeviceRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code imprint up} with a hub, a Paho device, and the back-end CLI: device show, telemetry, c2d send, twin get|set, method invoke. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HubBackendIT {
    @TempDir
    Path dir;

    @Test
    void cli_reads_telemetry_sends_c2d_updates_twin_and_invokes_a_method_on_a_live_device() throws Exception {
        Map<String, String> env = Fixture.env();
        String hubs = env.get("IMPRINT_HUBS");
        int port = Integer.parseInt(hubs.substring(hubs.lastIndexOf(':') + 1));
        try (Node server = Fixture.start(dir, env)) {
            JsonNode endpoints = new ObjectMapper().readTree(dir.resolve("endpoints.json").toFile());
            assertThat(endpoints.path("hubs").get(0).path("name").asText()).isEqualTo("hub-1");
            assertThat(endpoints.path("hubs").get(0).path("mqtt").asText()).isEqualTo("mqtts://127.0.0.1:" + port);

            KeyPair kp = KeyAlgorithm.EC_P256.generate();
            byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=cli-dev"), kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
            IssuedCertificate cert = server.authority().issue(IssuanceRequest.byAdmin("admin:test", "manufacturing", csr));
            Instant now = Instant.now();
            server.store().deviceRegistry().save(new DeviceRecord("cli-dev", "hub-1", true, "test", "{}", "{}", "assigned",
                    "initialAssignment", cert.serialHex(), 0, now, now), null);

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

            MqttClient device = new MqttClient("ssl://127.0.0.1:" + port, "cli-dev", new MemoryPersistence());
            BlockingQueue<String> c2d = new LinkedBlockingQueue<>();
            MqttConnectOptions o = new MqttConnectOptions();
            o.setSocketFactory(ssl.getSocketFactory());
            o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            device.connect(o);
            try {
                device.subscribe("devices/cli-dev/messages/devicebound/#", 1, (t, m) -> c2d.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
                device.subscribe("$iothub/methods/POST/#", 0, (t, m) -> {
                    String rid = t.substring(t.indexOf("$rid=") + 5);
                    new Thread(() -> {
                        try {
                            device.publish("$iothub/methods/res/200/?$rid=" + rid, "{\"ok\":true}".getBytes(StandardCharsets.UTF_8), 0, false);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }).start();
                });
                device.publish("devices/cli-dev/messages/events/", "{\"t\":42}".getBytes(StandardCharsets.UTF_8), 1, false);

                String data = dir.toString();
                Fixture.Run show = Fixture.cli("device", "show", "cli-dev", "--json", "--data", data);
                assertThat(show.code()).as(show.all()).isZero();
                assertThat(show.out()).contains("\"connected\" : true").contains("\"assignedHub\" : \"hub-1\"");
                await().atMost(Duration.ofSeconds(5)).until(() -> Fixture.cli("telemetry", "--device", "cli-dev", "--last", "5", "--data", data)
                        .out().contains("{\"t\":42}"));
                Fixture.Run send = Fixture.cli("c2d", "send", "--device", "cli-dev", "--body", "from the cli", "--data", data);
                assertThat(send.code()).as(send.all()).isZero();
                assertThat(c2d.poll(5, TimeUnit.SECONDS)).isEqualTo("from the cli");
                Fixture.Run set = Fixture.cli("twin", "set", "--device", "cli-dev", "--desired", "{\"rate\":7}", "--data", data);
                assertThat(set.code()).as(set.all()).isZero();
                assertThat(Fixture.cli("twin", "get", "--device", "cli-dev", "--data", data).out()).contains("\"rate\" : 7");
                Fixture.Run inv = Fixture.cli("method", "invoke", "--device", "cli-dev", "--name", "ping", "--timeout", "5", "--data", data);
                assertThat(inv.code()).as(inv.all()).isZero();
                assertThat(inv.out()).contains("\"status\" : 200").contains("\"ok\" : true");
                Fixture.Run unknown = Fixture.cli("device", "show", "nobody", "--data", data);
                assertThat(unknown.code()).isEqualTo(1);
                assertThat(unknown.err()).contains("DEVICE_NOT_FOUND");
            } finally {
                device.disconnect();
                device.close();
            }
            assertThat(Files.exists(dir.resolve("hubs").resolve("hub-1.key"))).isTrue();
        }
    }
}
