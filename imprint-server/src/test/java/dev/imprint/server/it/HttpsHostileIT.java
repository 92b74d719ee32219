package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.pki.Pem;
import dev.imprint.server.up.Node;
import dev.imprint.testkit.ClientTls;
import dev.imprint.testkit.SlowHttp;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The server's HTTPS listener (EST, admin, console) against clients that do not play by the
 * rules, over real TLS: slow headers and bodies are closed at https.requestTimeoutSeconds
 * (REQUEST_TIMEOUT), an oversized body is 413 BODY_TOO_LARGE in the JSON error shape, a hang-up
 * mid-body is CLIENT_GONE; each logged with its code and counted, none an ERROR line.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HttpsHostileIT {
    static final Duration DEADLINE = Duration.ofSeconds(2);
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ENROLL = "POST /.well-known/est/simpleenroll HTTP/1.1\r\nHost: imprint\r\nContent-Type: application/pkcs10\r\n";

    @TempDir
    static Path data;
    static Node server;
    static SSLContext tls;
    static String host;
    static int port;
    static final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    static final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeAll
    static void up() throws Exception {
        Map<String, String> env = Fixture.env();
        env.put("IMPRINT_HTTPS_REQUEST_TIMEOUT_SECONDS", Long.toString(DEADLINE.toSeconds()));
        env.put("IMPRINT_DPS", "false");
        server = Fixture.start(data, env);
        URI est = URI.create(server.endpoints().est());
        host = est.getHost();
        port = est.getPort();
        tls = ClientTls.anonymous(Pem.readCertificate(Path.of(server.endpoints().trust())));
        lines.start();
        root.addAppender(lines);
    }

    @AfterAll
    static void down() {
        root.detachAppender(lines);
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void clearLines() {
        lines.list.clear();
    }

    static SlowHttp connect() throws Exception {
        return SlowHttp.connect(tls, host, port);
    }

    /** A counter from the server's own /metrics (Prometheus text), 0 when absent. */
    static double metric(String name, String label) throws Exception {
        try (SlowHttp c = connect()) {
            String text = c.send("GET /metrics HTTP/1.1\r\nHost: imprint\r\n\r\n").read().body();
            Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*" + Pattern.quote(label) + "[^}]*\\} ([0-9.E]+)$").matcher(text);
            return m.find() ? Double.parseDouble(m.group(1)) : 0;
        }
    }

    static void noErrorLines() {
        assertThat(lines.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.ERROR)).isEmpty();
    }

    @Test
    void a_header_sent_one_byte_at_a_time_is_closed_at_the_deadline() throws Exception {
        double before = metric("imprint_https_refusals_total", "reason=\"REQUEST_TIMEOUT\"");
        try (SlowHttp c = connect()) {
            c.send("GET /health HTTP/1.1\r\n");
            Duration held = c.trickleUntilClosed("X-Slow: abcdefghijklmnopqrstuvwxyz\r\n", Duration.ofMillis(300), Duration.ofSeconds(20));
            // the idle timer (120 s) never fired: every byte restarted it
            assertThat(held).isBetween(DEADLINE.minusMillis(500), DEADLINE.plusSeconds(5));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> metric("imprint_https_refusals_total", "reason=\"REQUEST_TIMEOUT\"") == before + 1);
        assertThat(lines.list).anyMatch(e -> e.getFormattedMessage().contains("reason=REQUEST_TIMEOUT") && e.getLevel() == Level.INFO);
        noErrorLines();
    }

    @Test
    void a_chunked_csr_sent_one_byte_at_a_time_is_closed_at_the_deadline() throws Exception {
        try (SlowHttp c = connect()) {
            c.send(ENROLL + "Transfer-Encoding: chunked\r\n\r\n");
            Duration held = c.trickleUntilClosed("1\r\nA\r\n", Duration.ofMillis(300), Duration.ofSeconds(20));
            assertThat(held).isBetween(DEADLINE.minusMillis(500), DEADLINE.plusSeconds(5));
        }
        noErrorLines();
    }

    @Test
    void a_keep_alive_connection_idle_past_the_deadline_between_requests_still_serves_the_next_one() throws Exception {
        try (SlowHttp c = connect()) {
            for (String piece : "GET /health HTTP/1.1\r\nHost: imprint\r\n\r\n".split("(?<=\r\n)")) {
                c.send(piece);
            }
            assertThat(c.read().status()).isEqualTo(200);
            // waiting between requests is not a request: only the idle timer applies to it
            Thread.sleep(DEADLINE.toMillis() + 1000);
            assertThat(c.send("GET /health HTTP/1.1\r\nHost: imprint\r\n\r\n").read().status()).isEqualTo(200);
        }
    }

    @Test
    void an_announced_body_over_the_limit_is_413_in_the_json_error_shape_without_an_error_line() throws Exception {
        try (SlowHttp c = connect()) {
            SlowHttp.Response r = c.send(ENROLL + "Content-Length: 70000\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(JSON.readTree(r.body()).path("code").asText()).isEqualTo("BODY_TOO_LARGE");
        }
        assertThat(metric("imprint_http_refusals_total", "code=\"BODY_TOO_LARGE\"")).isGreaterThanOrEqualTo(1);
        assertThat(lines.list).anyMatch(e -> e.getFormattedMessage().contains("code=BODY_TOO_LARGE") && e.getLevel() == Level.INFO);
        noErrorLines();
    }

    @Test
    void a_client_hanging_up_mid_body_is_client_gone_without_an_error_line() throws Exception {
        double before = metric("imprint_http_refusals_total", "code=\"CLIENT_GONE\"");
        try (SlowHttp c = connect()) {
            c.send(ENROLL + "Content-Length: 1000\r\n\r\nMIIB");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> metric("imprint_http_refusals_total", "code=\"CLIENT_GONE\"") == before + 1);
        assertThat(lines.list).anyMatch(e -> e.getFormattedMessage().contains("code=CLIENT_GONE") && e.getLevel() == Level.INFO);
        noErrorLines();
    }
}
