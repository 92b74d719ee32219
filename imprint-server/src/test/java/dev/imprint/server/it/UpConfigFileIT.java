package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.pki.Pem;
import dev.imprint.server.config.ConfigLoader;
import dev.imprint.server.hub.HubRole;
import dev.imprint.server.up.Node;
import dev.imprint.store.JdbcStore;
import dev.imprint.store.Store;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code imprint up} with the DPS and hub addresses and ports set only in {@code imprint.yaml}
 * (no IMPRINT_* variable but the passphrase): those are the ones in endpoints.json and the ones
 * that answer a TLS handshake with a certificate for that address; {@code imprint hub --name}'s
 * start path finds its hub in the same file; a bad value stops {@code up} with exit code 2.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UpConfigFileIT {
    private static final Map<String, String> ENV = Map.of("IMPRINT_CA_PASSPHRASE", "test-passphrase-not-secret", "IMPRINT_AWS_ENABLED", "false");

    @TempDir
    Path data;

    @Test
    void dps_and_hubs_listen_where_the_config_file_says() throws Exception {
        int dpsHttps = freePort("127.0.0.1");
        int dpsMqtt = freePort("127.0.0.2");
        int north = freePort("127.0.0.3");
        int south = freePort("127.0.0.4");
        Files.writeString(data.resolve("imprint.yaml"), String.format("""
                pki:
                  port: %d
                https:
                  port: %d
                dps:
                  https: {address: 127.0.0.1, port: %d}
                  mqtt: {address: 127.0.0.2, port: %d}
                  idScope: 0neCONFIGIT
                  rate: 200
                hub:
                  maxMessageBytes: 65536
                hubs:
                  - {name: north, address: 127.0.0.3, port: %d}
                  - {name: south, address: 127.0.0.4, port: %d, inflightWindow: 4}
                """, freePort("127.0.0.1"), freePort("127.0.0.1"), dpsHttps, dpsMqtt, north, south));

        try (Node server = Node.start(ConfigLoader.load(data, ENV), ENV)) {
            JsonNode e = new ObjectMapper().readTree(data.resolve("endpoints.json").toFile());
            assertThat(e.path("dps").path("https").asText()).isEqualTo("https://127.0.0.1:" + dpsHttps);
            assertThat(e.path("dps").path("mqtt").asText()).isEqualTo("mqtts://127.0.0.2:" + dpsMqtt);
            assertThat(e.path("dps").path("idScope").asText()).isEqualTo("0neCONFIGIT");
            assertThat(e.path("hubs")).hasSize(2);
            assertThat(e.path("hubs").get(0).path("name").asText()).isEqualTo("north");
            assertThat(e.path("hubs").get(0).path("mqtt").asText()).isEqualTo("mqtts://127.0.0.3:" + north);
            assertThat(e.path("hubs").get(1).path("mqtt").asText()).isEqualTo("mqtts://127.0.0.4:" + south);

            SSLContext tls = trustingImprintRoot(Path.of(e.path("trust").asText()));
            assertThat(handshake(tls, "127.0.0.1", dpsHttps)).as("DPS HTTPS").isNotNull();
            assertThat(handshake(tls, "127.0.0.2", dpsMqtt)).as("DPS MQTT").isNotNull();
            assertThat(handshake(tls, "127.0.0.3", north)).as("hub north").isNotNull();
            assertThat(handshake(tls, "127.0.0.4", south)).as("hub south").isNotNull();

            // the DPS assigns devices to the configured hubs, not to built-in ones
            assertThat(server.store().hubs().list()).extracting(dev.imprint.store.HubRecord::name).containsExactly("north", "south");
            assertThat(server.store().hubs().list()).extracting(dev.imprint.store.HubRecord::mqtt)
                    .containsExactly("mqtts://127.0.0.3:" + north, "mqtts://127.0.0.4:" + south);
            assertThat(server.store().enrollments().list()).singleElement()
                    .satisfies(en -> assertThat(en.hubs()).containsExactly("north", "south"));
        }

        // 'imprint hub --name south' alone: the same file names its address and port
        try (Store store = JdbcStore.sqlite(data.resolve("imprint.db"));
                HubRole alone = HubRole.startOne(ConfigLoader.load(data, ENV), store, "south", new SimpleMeterRegistry())) {
            assertThat(alone.hubs()).singleElement().satisfies(h -> {
                assertThat(h.settings().bindAddress()).isEqualTo("127.0.0.4");
                assertThat(h.settings().port()).isEqualTo(south);
                assertThat(h.settings().limits().inflightWindow()).isEqualTo(4);
                assertThat(h.settings().limits().maxMessageBytes()).isEqualTo(65536);
            });
            assertThat(handshake(trustingImprintRoot(data.resolve("pki/root.crt")), "127.0.0.4", south)).isNotNull();
        }
    }

    @Test
    void a_bad_dps_or_hub_value_stops_up_with_exit_code_2_naming_the_key() throws Exception {
        Files.writeString(data.resolve("imprint.yaml"), """
                dps:
                  mqtt:
                    port: 70000
                hubs:
                  - {name: north, address: 127.0.0.3, port: many}
                """);
        Fixture.Run r = Fixture.cli("up", "--data", data.toString());
        assertThat(r.code()).as(r.all()).isEqualTo(2);
        assertThat(r.err()).contains("dps.mqtt.port (env IMPRINT_DPS_MQTT_PORT): '70000'").contains("hubs[0].port: 'many'")
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(data.resolve("pki")).doesNotExist();

        // the same through the real launcher jar: exit code 2, the message, no stack trace
        Path out = Files.createTempFile(data, "up", ".out");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                Fixture.JAR.toString(), "up", "--data", data.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String printed = Files.readString(out);
        assertThat(p.exitValue()).as(printed).isEqualTo(2);
        assertThat(printed).contains("dps.mqtt.port").contains("hubs[0].port").doesNotContain("\tat ");
    }

    /** The server's certificate chain after a TLS 1.3 handshake that checks it names {@code address} and chains to Imprint's root. */
    private static X509Certificate[] handshake(SSLContext tls, String address, int port) throws Exception {
        try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress(address, port), 5000);
            s.setSoTimeout(5000);
            SSLParameters p = s.getSSLParameters();
            p.setProtocols(new String[] {"TLSv1.3"}); // the server certificate is checked before any client certificate matters
            p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must carry the configured address
            p.setServerNames(java.util.List.of());
            s.setSSLParameters(p);
            s.startHandshake();
            return (X509Certificate[]) s.getSession().getPeerCertificates();
        }
    }

    private static SSLContext trustingImprintRoot(Path root) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("root", Pem.readCertificate(root));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ssl = SSLContext.getInstance("TLSv1.3");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    private static int freePort(String address) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(address))) {
            return s.getLocalPort();
        }
    }
}
