package dev.imprint.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TLS abuse on every listener of a live {@code imprint up} (HTTPS for EST/admin/console, the
 * DPS over HTTPS and MQTT, the hub): connections that never finish their handshake, handshakes
 * with garbage, and a TLS 1.2 client asking to renegotiate.
 */
@ExtendWith(LiveImprint.Extension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TlsAbuseIT {
    static LiveImprint live;
    static SSLContext renegotiator;

    @BeforeAll
    static void server() throws Exception {
        live = LiveImprint.shared();
        renegotiator = live.device("renegotiator").tls(live.root);
    }

    static List<InetSocketAddress> listeners() {
        return List.of(live.https, live.dps, live.dpsMqtt, live.hub);
    }

    @Test
    void connections_past_the_per_source_cap_are_closed_at_accept_on_https_and_the_dps() throws Exception {
        int cap = LiveImprint.LISTENER_CONNECTIONS_PER_SOURCE;
        int extra = 3;
        Case c = Case.start(live, cap + " TCP connections from one address to each of HTTPS, DPS HTTPS and DPS MQTT, then " + extra + " more to each",
                cap + " open connections per source address and listener (https.connectionsPerSource, dps.connectionsPerSource)",
                "TOO_MANY_CONNECTIONS");
        Scrape before = Scrape.of(live);
        List<java.net.Socket> held = new java.util.ArrayList<>();
        StringBuilder what = new StringBuilder();
        try {
            for (InetSocketAddress to : List.of(live.https, live.dps, live.dpsMqtt)) {
                long t0 = System.nanoTime();
                for (int i = 0; i < cap; i++) {
                    held.add(tcp("127.0.11.6", to));
                }
                long opened = System.nanoTime() - t0;
                List<Duration> refused = new java.util.ArrayList<>();
                for (int i = 0; i < extra; i++) {
                    try (java.net.Socket s = tcp("127.0.11.6", to)) {
                        long t = System.nanoTime();
                        try {
                            assertThat(s.getInputStream().read()).isEqualTo(-1);
                        } catch (java.net.SocketException reset) {
                            // closed all the same
                        }
                        refused.add(Duration.ofNanos(System.nanoTime() - t));
                    }
                }
                // closed before the 10 s handshake and CONNECT deadlines could have (the wait is the server accepting the held ones first)
                assertThat(refused).allMatch(d -> d.compareTo(Duration.ofSeconds(8)) < 0);
                java.util.Collections.sort(refused);
                what.append(String.format("%s: %d opened in %.2f s, next %d closed in %.2f-%.2f s; ",
                        to == live.https ? "https" : to == live.dps ? "dps" : "dps-mqtt", cap, opened / 1e9, extra,
                        refused.get(0).toMillis() / 1000.0, refused.get(extra - 1).toMillis() / 1000.0));
            }
        } finally {
            for (java.net.Socket s : held) {
                s.close();
            }
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Scrape after = Scrape.of(live);
            for (String server : List.of("https", "dps")) {
                assertThat(after.sum("imprint_https_refusals_total", "server=\"" + server + "\"", "reason=\"TOO_MANY_CONNECTIONS\"")
                        - before.sum("imprint_https_refusals_total", "server=\"" + server + "\"", "reason=\"TOO_MANY_CONNECTIONS\"")).isEqualTo(extra);
            }
            assertThat(after.sum("imprint_mqtt_disconnects_total", "server=\"dps\"", "reason=\"TOO_MANY_CONNECTIONS\"")
                    - before.sum("imprint_mqtt_disconnects_total", "server=\"dps\"", "reason=\"TOO_MANY_CONNECTIONS\"")).isEqualTo(extra);
        });
        assertThat(live.log.has("reason=TOO_MANY_CONNECTIONS", "server=dps")).isTrue();
        c.held(what.toString());
        c.finish();
    }

    static java.net.Socket tcp(String source, InetSocketAddress to) throws java.io.IOException {
        java.net.Socket s = new java.net.Socket();
        s.bind(new InetSocketAddress(source, 0));
        s.connect(to, 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    @Test
    void half_open_tls_connections_on_every_listener_are_closed_in_bounded_time() throws Exception {
        int each = Scale.of(500);
        Case c = Case.start(live, each * 4 + " half-open TLS connections (5 bytes of a ClientHello, then silence), 4 listeners",
                "HTTPS/DPS: TLS handshake timeout 10 s; MQTT: CONNECT deadline 2 s", "TLS_HANDSHAKE_TIMEOUT, CONNECT_TIMEOUT");
        Scrape before = Scrape.of(live);
        HalfOpen.Result r = HalfOpen.open("127.0.6.10", listeners(), each, HalfOpen.CLIENT_HELLO_START, Duration.ofSeconds(30));
        c.held(r.show());
        assertThat(r.stillOpen()).isZero();
        assertThat(r.max()).isLessThan(Duration.ofSeconds(15));
        Scrape after = Scrape.of(live);
        // the hub's CONNECT deadline (3 s) comes first; the DPS's MQTT deadline is 10 s, where its TLS handshake timeout fires too
        assertThat(after.sum("imprint_mqtt_disconnects_total", "server=\"hub-1\"", "reason=\"CONNECT_TIMEOUT\"")
                - before.sum("imprint_mqtt_disconnects_total", "server=\"hub-1\"", "reason=\"CONNECT_TIMEOUT\"")).isGreaterThanOrEqualTo(each);
        assertThat(after.sum("imprint_mqtt_disconnects_total", "server=\"dps\"")
                - before.sum("imprint_mqtt_disconnects_total", "server=\"dps\"")).isGreaterThanOrEqualTo(each);
        assertThat(after.sum("imprint_https_refusals_total", "reason=\"TLS_HANDSHAKE_TIMEOUT\"")
                - before.sum("imprint_https_refusals_total", "reason=\"TLS_HANDSHAKE_TIMEOUT\"")).isGreaterThanOrEqualTo(2.0 * each);
        assertThat(live.log.has("reason=TLS_HANDSHAKE_TIMEOUT", "server=dps")).isTrue();
        assertThat(live.log.has("reason=TLS_HANDSHAKE_TIMEOUT", "server=https")).isTrue();
        c.finish();
    }

    @Test
    void garbage_instead_of_a_handshake_is_closed_at_once_on_every_listener() throws Exception {
        int each = Scale.of(50);
        byte[] garbage = new byte[1024];
        new SecureRandom().nextBytes(garbage);
        garbage[0] = 0x16; // looks like a handshake record, is not one
        Case c = Case.start(live, each * 4 + " TLS handshakes with 1 KiB of random bytes, 4 listeners", "closed on the first bad record",
                "TLS_HANDSHAKE_FAILED");
        Scrape before = Scrape.of(live);
        HalfOpen.Result r = HalfOpen.open("127.0.6.11", listeners(), each, garbage, Duration.ofSeconds(20));
        c.held(r.show());
        assertThat(r.stillOpen()).isZero();
        assertThat(r.p(0.5)).isLessThan(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Scrape after = Scrape.of(live);
            assertThat(after.sum("imprint_mqtt_disconnects_total", "reason=\"TLS_HANDSHAKE_FAILED\"")
                    - before.sum("imprint_mqtt_disconnects_total", "reason=\"TLS_HANDSHAKE_FAILED\"")).isGreaterThanOrEqualTo(2.0 * each);
            assertThat(after.sum("imprint_https_refusals_total", "reason=\"TLS_HANDSHAKE_FAILED\"")
                    - before.sum("imprint_https_refusals_total", "reason=\"TLS_HANDSHAKE_FAILED\"")).isGreaterThanOrEqualTo(2.0 * each);
        });
        c.finish();
    }

    @Test
    void a_tls_1_2_client_asking_to_renegotiate_is_refused_on_every_listener() throws Exception {
        Case c = Case.start(live, "TLS 1.2 renegotiation (JDK client, second handshake), 4 listeners", "no renegotiation",
                "TLS alert no_renegotiation / closed");
        StringBuilder outcome = new StringBuilder();
        for (InetSocketAddress l : listeners()) {
            try (SSLSocket s = (SSLSocket) renegotiator.getSocketFactory().createSocket()) {
                s.bind(new InetSocketAddress("127.0.6.12", 0));
                s.connect(l, 5000);
                s.setEnabledProtocols(new String[] {"TLSv1.2"});
                s.setSoTimeout(5000);
                s.startHandshake();
                byte[] first = s.getSession().getId();
                String result;
                try {
                    s.startHandshake();
                    // the JDK sends its ClientHello lazily: make it go out and wait for the answer
                    s.getOutputStream().write(0);
                    s.getOutputStream().flush();
                    InputStream in = s.getInputStream();
                    result = in.read() < 0 ? "closed" : "answered";
                } catch (java.io.IOException e) {
                    result = "refused (" + e.getClass().getSimpleName() + ")";
                }
                // whatever the path, no second handshake was ever completed
                assertThat(result).isNotEqualTo("answered");
                assertThat(s.getSession().getId()).isEqualTo(first);
                outcome.append(l.getPort() == live.https.getPort() ? "https" : l.getPort() == live.dps.getPort() ? "dps"
                        : l.getPort() == live.hub.getPort() ? "hub" : "dps-mqtt").append(": ").append(result).append("; ");
            }
        }
        c.held(outcome.toString());
        c.finish();
    }
}
