package dev.imprint.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imprint.pki.KeyAlgorithm;
import dev.imprint.pki.Pem;
import dev.imprint.testkit.ClientTls;
import dev.imprint.testkit.SlowHttp;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Abuse by holders of valid credentials: a factory station enrolling CSRs past its rate and its
 * quota over EST, a device reconnecting in a tight loop, and a device whose certificate expires
 * while its session is open.
 */
@ExtendWith(LiveImprint.Extension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DeviceAbuseIT {
    static final int QUOTA = 20;
    static final int RATE = 10;
    static final int CONNECTS_PER_MINUTE = 30;
    static LiveImprint live;
    static SSLContext station;
    static LiveImprint.Device looper;

    @BeforeAll
    static void server() throws Exception {
        live = LiveImprint.shared();
        Path dir = live.data.resolve("flood-station");
        live.cli("station", "create", "flood", "--ids", "flood-[0-9]+", "--quota", Integer.toString(QUOTA), "--rate", Integer.toString(RATE),
                "--out", dir.toString());
        station = ClientTls.context(Pem.readPrivateKey(dir.resolve("station.key"), null), Pem.readCertificates(dir.resolve("station.crt")),
                live.root);
        looper = live.device("looper");
    }

    static double refused(String reason) {
        return Scrape.of(live).reason("imprint_ca_refused_total", reason);
    }

    @Test
    void a_station_flooding_csrs_gets_its_quota_and_not_one_certificate_more() throws Exception {
        int n = Scale.of(60);
        Case c = Case.start(live, n + " CSRs over EST from a valid station (rate " + RATE + "/s, quota " + QUOTA + "), one connection, back to back",
                "station rate and quota", "RATE_EXCEEDED (429), QUOTA_EXCEEDED (403)");
        double rate = refused("RATE_EXCEEDED");
        double quota = refused("QUOTA_EXCEEDED");
        KeyPair kp = KeyAlgorithm.EC_P256.generate();
        Map<Integer, Integer> statuses = new TreeMap<>();
        int sent = 0;
        long start = System.nanoTime();
        try (SlowHttp est = SlowHttp.connect(station, live.https.getHostString(), live.https.getPort())) {
            // back to back; then on until the quota answers (how many the rate let through depends on the machine's speed)
            for (int i = 0; i < n || statuses.getOrDefault(403, 0) == 0 && i < 20 * n && System.nanoTime() - start < 60_000_000_000L; i++) {
                sent++;
                String body = Base64.getMimeEncoder().encodeToString(LiveImprint.csr("flood-" + i, kp));
                SlowHttp.Response r = est.send("POST /.well-known/est/simpleenroll HTTP/1.1\r\nHost: imprint\r\nContent-Type: application/pkcs10\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body).read();
                statuses.merge(r.status(), 1, Integer::sum);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        c.held(String.format("%d CSRs: %s in %.1f s", sent, statuses, seconds));
        assertThat(statuses.get(200)).isEqualTo(QUOTA);
        assertThat(statuses.getOrDefault(200, 0) + statuses.getOrDefault(429, 0) + statuses.getOrDefault(403, 0)).isEqualTo(sent);
        assertThat(refused("RATE_EXCEEDED") - rate).isEqualTo((double) statuses.getOrDefault(429, 0));
        assertThat(refused("QUOTA_EXCEEDED") - quota).isEqualTo((double) statuses.getOrDefault(403, 0)).isPositive();
        assertThat(live.log.has("event=est.refused", "code=QUOTA_EXCEEDED")).isTrue();
        // exactly the quota was issued, each recorded with its audit entry; nothing for the refusals
        c.finish(Map.of("certificates", (long) QUOTA, "audit", (long) QUOTA));
    }

    @Test
    void a_device_reconnecting_in_a_tight_loop_is_rate_limited_and_nobody_else_is() throws Exception {
        int n = Scale.of(36);
        Case c = Case.start(live, n + " CONNECT/DISCONNECT back to back by a valid device", CONNECTS_PER_MINUTE + " CONNECTs per identity per minute",
                "RATE_LIMITED (CONNACK 3)");
        double limited = Scrape.of(live).sum("imprint_mqtt_disconnects_total", "server=\"hub-1\"", "reason=\"RATE_LIMITED\"");
        SSLContext tls = looper.tls(live.root);
        Map<Integer, Integer> codes = new TreeMap<>();
        int firstRefused = -1;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            try (RawMqtt m = RawMqtt.open(tls, "127.0.6.30", live.hub)) {
                int code = m.send(RawMqtt.connect("looper", 30)).connack();
                codes.merge(code, 1, Integer::sum);
                if (code != 0 && firstRefused < 0) {
                    firstRefused = i + 1;
                }
                if (code == 0) {
                    m.send(new byte[] {(byte) 0xE0, 0});
                }
            }
        }
        c.held("CONNACK codes " + codes + "; first refused: CONNECT #" + firstRefused);
        // the budget refills as the loop runs: half a CONNECT a second
        assertThat(codes.get(0)).isBetween(CONNECTS_PER_MINUTE, CONNECTS_PER_MINUTE + 1 + (int) Math.ceil((System.nanoTime() - start) / 2e9));
        assertThat(codes.get(3)).isEqualTo(n - codes.get(0));
        await().atMost(Duration.ofSeconds(5)).until(() -> Scrape.of(live).sum("imprint_mqtt_disconnects_total", "server=\"hub-1\"",
                "reason=\"RATE_LIMITED\"") - limited == codes.get(3));
        assertThat(live.log.has("client=looper", "reason=RATE_LIMITED")).isTrue();
        c.finish();
    }

    @Test
    void a_session_is_closed_when_its_certificate_expires() throws Exception {
        Case c = Case.start(live, "a device whose certificate (operational CA, " + LiveImprint.OPERATIONAL_LIFETIME.toSeconds()
                + " s) expires mid-session", "session ends at notAfter (the validator's whole second)", "CERTIFICATE_EXPIRED");
        double expired = Scrape.of(live).sum("imprint_mqtt_disconnects_total", "server=\"hub-1\"", "reason=\"CERTIFICATE_EXPIRED\"");
        LiveImprint.Device d = live.device("expiring-1", "operational");
        Duration late;
        try (RawMqtt m = RawMqtt.open(d.tls(live.root), "127.0.6.31", live.hub)) {
            assertThat(m.send(RawMqtt.connect("expiring-1", 30)).connack()).isZero();
            m.awaitClosed(LiveImprint.OPERATIONAL_LIFETIME.plusSeconds(10));
            late = Duration.between(d.notAfter(), Instant.now());
        }
        c.held(String.format("closed %d ms after notAfter", late.toMillis()));
        // the certificate is valid through notAfter's whole second; closed within a second or so after
        assertThat(late).isBetween(Duration.ZERO, Duration.ofMillis(2500));
        await().atMost(Duration.ofSeconds(5)).until(() -> Scrape.of(live).sum("imprint_mqtt_disconnects_total", "server=\"hub-1\"",
                "reason=\"CERTIFICATE_EXPIRED\"") - expired == 1);
        assertThat(live.log.has("client=expiring-1", "reason=CERTIFICATE_EXPIRED")).isTrue();
        // the device of this case: its certificate, its registry row
        c.finish(Map.of("certificates", 1L, "audit", 1L, "devices", 1L));
    }
}
