package dev.imprint.dps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.testkit.ClientTls;
import dev.imprint.testkit.SlowHttp;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The DPS's HTTPS device API against a client that does not play by the rules, over real TLS:
 * a slow header or body is closed at the request deadline (REQUEST_TIMEOUT), an oversized body
 * answers 413 in the Azure error JSON (BODY_TOO_LARGE), a hang-up mid-body is CLIENT_GONE, and
 * none of them writes an ERROR line. Well-behaved requests on the same listener still work.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpsHostileIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration DEADLINE = Duration.ofSeconds(2);
    static final String HOST = "127.0.0.14";
    static final String REGISTER = "PUT /" + DpsFixture.ID_SCOPE + "/registrations/slow-1/register?api-version=2021-06-01 HTTP/1.1\r\n";
    static final String POLL = "GET /" + DpsFixture.ID_SCOPE + "/registrations/slow-1/operations/x?api-version=2021-06-01 HTTP/1.1\r\n"
            + "Host: dps\r\n\r\n";

    @TempDir
    Path dir;

    DpsFixture f;
    ProvisioningService dps;
    SSLContext tls;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void start() {
        Metrics.addRegistry(meters);
        lines.start();
        root.addAppender(lines);
        f = new DpsFixture(dir);
        dps = ProvisioningService.start(f.settings().withHttps(HOST, 0).withRequestDeadline(DEADLINE), f.store, f.issuer());
        tls = ClientTls.anonymous(f.root());
    }

    @AfterEach
    void stop() {
        dps.close();
        f.close();
        root.detachAppender(lines);
        Metrics.removeRegistry(meters);
    }

    double refusals(String reason) {
        var c = meters.find("imprint.https.refusals").tag("server", "dps").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    SlowHttp connect() throws Exception {
        return SlowHttp.connect(tls, HOST, dps.httpsPort());
    }

    void noErrorLines() {
        assertThat(lines.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.ERROR)).isEmpty();
    }

    @Test
    void a_header_sent_one_byte_at_a_time_is_closed_at_the_deadline() throws Exception {
        try (SlowHttp c = connect()) {
            c.send(REGISTER);
            Duration held = c.trickleUntilClosed("X-Slow: abcdefghijklmnopqrstuvwxyz\r\n", Duration.ofMillis(300), Duration.ofSeconds(15));
            // the idle timer (60 s) never fired: every byte restarted it
            assertThat(held).isBetween(DEADLINE.minusMillis(500), DEADLINE.plusSeconds(5));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> refusals("REQUEST_TIMEOUT") == 1);
        assertThat(lines.list).anyMatch(e -> e.getFormattedMessage().contains("reason=REQUEST_TIMEOUT"));
        noErrorLines();
    }

    @Test
    void a_chunked_body_sent_one_byte_at_a_time_is_closed_at_the_deadline() throws Exception {
        try (SlowHttp c = connect()) {
            c.send(REGISTER + "Host: dps\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
            Duration held = c.trickleUntilClosed("1\r\n \r\n", Duration.ofMillis(300), Duration.ofSeconds(15));
            assertThat(held).isBetween(DEADLINE.minusMillis(500), DEADLINE.plusSeconds(5));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> refusals("REQUEST_TIMEOUT") == 1);
        noErrorLines();
    }

    @Test
    void a_keep_alive_connection_idle_past_the_deadline_between_requests_still_serves_the_next_one() throws Exception {
        try (SlowHttp c = connect()) {
            // sent in pieces, well within the deadline
            for (String piece : POLL.split("(?<=\r\n)")) {
                c.send(piece);
            }
            assertThat(c.read().status()).isEqualTo(401);
            // waiting between requests is not a request: only the idle timer applies to it
            Thread.sleep(DEADLINE.toMillis() + 1000);
            c.send(POLL);
            SlowHttp.Response again = c.read();
            assertThat(again.status()).isEqualTo(401);
            assertThat(JSON.readTree(again.body()).path("reason").asText()).isEqualTo("CLIENT_CERT_REQUIRED");
        }
        assertThat(refusals("REQUEST_TIMEOUT")).isZero();
    }

    @Test
    void an_announced_body_over_64_kib_is_413_in_the_azure_error_json_without_an_error_line() throws Exception {
        try (SlowHttp c = connect()) {
            c.send(REGISTER + "Host: dps\r\nContent-Type: application/json\r\nContent-Length: 70000\r\n\r\n");
            SlowHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(413);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.path("reason").asText()).isEqualTo("BODY_TOO_LARGE");
            assertThat(body.path("errorCode").asInt()).isEqualTo(DpsReason.BODY_TOO_LARGE.errorCode());
            assertThat(body.path("trackingId").asText()).isNotEmpty();
        }
        assertThat(refusals("BODY_TOO_LARGE")).isEqualTo(1);
        noErrorLines();
    }

    @Test
    void a_chunked_body_growing_past_64_kib_is_413_too() throws Exception {
        try (SlowHttp c = connect()) {
            c.send(REGISTER + "Host: dps\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
            String chunk = Integer.toHexString(8192) + "\r\n" + "x".repeat(8192) + "\r\n";
            for (int i = 0; i < 9; i++) {
                c.send(chunk);
            }
            assertThat(c.read().status()).isEqualTo(413);
        }
        assertThat(refusals("BODY_TOO_LARGE")).isEqualTo(1);
        noErrorLines();
    }

    @Test
    void a_client_hanging_up_mid_body_is_client_gone_without_an_error_line() throws Exception {
        try (SlowHttp c = connect()) {
            c.send(REGISTER + "Host: dps\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"registrationId\":");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> refusals("CLIENT_GONE") == 1);
        assertThat(lines.list).anyMatch(e -> e.getFormattedMessage().contains("reason=CLIENT_GONE") && e.getLevel() == Level.INFO);
        noErrorLines();
    }
}
