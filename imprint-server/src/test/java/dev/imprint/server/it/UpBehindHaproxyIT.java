package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imprint.server.up.Node;
import dev.imprint.testkit.Haproxy;
import dev.imprint.testkit.RawTcp;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code imprint up} with {@code IMPRINT_CLUSTER_BALANCERS}: the HTTPS endpoint served through a
 * real HAProxy (TCP mode, send-proxy-v2) to curl, direct clients served as before, and a PROXY
 * header from anyone else refused on the HTTPS listener and on the hub, counted in /metrics.
 * Client 127.0.0.40, HAProxy 127.0.0.30, server 127.0.0.1.
 */
class UpBehindHaproxyIT {
    private static final String CLIENT = "127.0.0.40";
    private static final String BALANCER = "127.0.0.30";

    @TempDir
    static Path data;
    static Node server;
    static Haproxy haproxy;
    static int httpsPort;
    static int hubPort;

    @BeforeAll
    static void up() throws Exception {
        Assumptions.assumeTrue(Haproxy.installed(), "haproxy is not installed (" + Haproxy.BINARY + "); scripts/test installs it");
        Map<String, String> env = Fixture.env();
        env.put("IMPRINT_CLUSTER_BALANCERS", BALANCER);
        env.put("IMPRINT_DPS", "off");
        httpsPort = Integer.parseInt(env.get("IMPRINT_HTTPS_PORT"));
        hubPort = Integer.parseInt(env.get("IMPRINT_HUBS").replaceAll(".*:", ""));
        server = Fixture.start(data, env);
        haproxy = Haproxy.start(data, BALANCER, BALANCER, List.of(new InetSocketAddress("127.0.0.1", httpsPort)));
    }

    @AfterAll
    static void down() {
        if (haproxy != null) {
            haproxy.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void https_through_haproxy_and_direct() throws Exception {
        assertThat(curl(BALANCER, haproxy.routes().get(0).frontendPort(), "/health")).contains("UP").endsWith("200");
        assertThat(curl("127.0.0.1", httpsPort, "/health")).contains("UP").endsWith("200");
    }

    @Test
    void proxy_header_from_a_stranger_is_refused_on_https_and_on_the_hub() throws Exception {
        byte[] header = "PROXY TCP4 198.51.100.9 127.0.0.1 4444 443\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(RawTcp.closedAfter(CLIENT, new InetSocketAddress("127.0.0.1", httpsPort), header)).isTrue();
        assertThat(RawTcp.closedAfter(CLIENT, new InetSocketAddress("127.0.0.1", hubPort), header)).isTrue();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(curl("127.0.0.1", httpsPort, "/metrics"))
                .containsPattern("imprint_https_refusals_total\\{reason=\"PROXY_NOT_ALLOWED\",server=\"https\"\\} [1-9]")
                .containsPattern("imprint_mqtt_disconnects_total\\{reason=\"PROXY_NOT_ALLOWED\",server=\"hub-1\"\\} [1-9]"));
    }

    /** curl from 127.0.0.40 to {@code host:port} under the name in the server certificate (localhost). */
    private static String curl(String host, int port, String path) throws Exception {
        Fixture.Run r = Fixture.ok(data, "curl", "-sS", "--max-time", "20", "--interface", CLIENT, "--resolve", "localhost:" + port + ":" + host,
                "--cacert", server.endpoints().trust(), "-w", "%{http_code}", "https://localhost:" + port + path);
        return r.out().trim();
    }
}
