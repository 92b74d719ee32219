package dev.imprint.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imprint.testkit.ClientTls;
import dev.imprint.testkit.TestPki;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * MQTT abuse of a live hub and of the DPS over MQTT: CONNECT floods from strangers (certificates
 * of their own making) with one client ID and with many, oversized, truncated and malformed
 * packets, PUBLISH on another device's topic, QoS 2, retained flags and will messages.
 */
@ExtendWith(LiveImprint.Extension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MqttAbuseIT {
    static final String DISCONNECTS = "imprint_mqtt_disconnects_total";
    static LiveImprint live;
    static LiveImprint.Device victim;
    static LiveImprint.Device mallory;
    /** A chain anyone can make: same kind of subject, its own root. */
    static SSLContext forged;

    @BeforeAll
    static void server() throws Exception {
        live = LiveImprint.shared();
        victim = live.device("victim");
        mallory = live.device("mallory");
        TestPki.Issued f = TestPki.create().device("victim");
        forged = ClientTls.context(f.key().getPrivate(), f.chain(), live.root);
    }

    static double count(String server, String reason) {
        return Scrape.of(live).sum(DISCONNECTS, "server=\"" + server + "\"", "reason=\"" + reason + "\"");
    }

    /** Refused CONNECTs a source may make since {@code startNanos}: 60 at once, one more a second. */
    static double budget(long startNanos) {
        return 60 + Math.ceil((System.nanoTime() - startNanos) / 1e9) + 1;
    }

    /** CONNACK codes of {@code n} stranger CONNECTs, tallied by code (-1: closed without one). */
    static Map<Integer, Integer> flood(java.net.InetSocketAddress to, String source, int n, java.util.function.IntFunction<String> clientId)
            throws Exception {
        Map<Integer, Integer> codes = new java.util.TreeMap<>();
        for (int i = 0; i < n; i++) {
            try (RawMqtt m = RawMqtt.open(forged, source, to)) {
                codes.merge(m.send(RawMqtt.connect(clientId.apply(i), 30)).connack(), 1, Integer::sum);
            } catch (java.io.IOException handshakeRefused) {
                codes.merge(-2, 1, Integer::sum);
            }
        }
        return codes;
    }

    @Test
    void a_connect_flood_with_one_victims_client_id_never_spends_the_victims_budget() throws Exception {
        int n = Scale.of(75);
        Case c = Case.start(live, n + " CONNECTs with the client ID of a registered device, self-made certificate",
                "60 refused CONNECTs per source per minute", "NOT_TRUSTED..., then REFUSED_RATE_LIMITED");
        double limited = count("hub-1", "REFUSED_RATE_LIMITED");
        long start = System.nanoTime();
        Map<Integer, Integer> codes = flood(live.hub, "127.0.6.20", n, i -> "victim");
        // not one was let in; past the per-source budget (60 a minute, refilled as the flood goes) they are refused before any work
        assertThat(codes).doesNotContainKey(0);
        assertThat(count("hub-1", "REFUSED_RATE_LIMITED") - limited).isGreaterThanOrEqualTo(n - budget(start));
        // the victim, with its own key, connects at once
        try (RawMqtt v = RawMqtt.open(victim.tls(live.root), "127.0.6.20", live.hub)) {
            assertThat(v.send(RawMqtt.connect("victim", 30)).connack()).isZero();
        }
        c.held("CONNACK codes " + codes + "; the victim then connected (0)");
        c.finish();
    }

    @Test
    void a_connect_flood_with_many_client_ids_is_refused_on_the_hub_and_the_dps() throws Exception {
        int n = Scale.of(70);
        Case c = Case.start(live, n + " CONNECTs with random client IDs on the hub and " + n + " on the DPS (MQTT), self-made certificates",
                "60 refused CONNECTs per source per minute", "REFUSED_RATE_LIMITED");
        double hub = count("hub-1", "REFUSED_RATE_LIMITED");
        double dps = count("dps", "REFUSED_RATE_LIMITED");
        long hubStart = System.nanoTime();
        Map<Integer, Integer> hubCodes = flood(live.hub, "127.0.6.21", n, i -> "stranger-" + i);
        double hubBudget = budget(hubStart);
        long dpsStart = System.nanoTime();
        Map<Integer, Integer> dpsCodes = flood(live.dpsMqtt, "127.0.6.22", n, i -> "stranger-" + i);
        double dpsBudget = budget(dpsStart);
        assertThat(hubCodes).doesNotContainKey(0);
        // the DPS lets a refused device in to read why (401 on its first request, closed after it or
        // after a few seconds): within the budget only, refused with CONNACK 5 past it
        assertThat(dpsCodes.getOrDefault(0, 0)).isLessThanOrEqualTo((int) dpsBudget);
        assertThat(dpsCodes.getOrDefault(5, 0)).isGreaterThanOrEqualTo(n - (int) dpsBudget);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(count("hub-1", "REFUSED_RATE_LIMITED") - hub).isGreaterThanOrEqualTo(n - hubBudget);
            assertThat(count("dps", "REFUSED_RATE_LIMITED") - dps).isGreaterThanOrEqualTo(n - dpsBudget);
        });
        c.held("hub " + hubCodes + ", dps " + dpsCodes);
        c.finish();
    }

    @Test
    void oversized_truncated_and_malformed_packets_are_closed_with_their_reason() throws Exception {
        Case c = Case.start(live, "oversized (20 KiB, and 200 MB announced), truncated and malformed packets from a valid device",
                "16 KiB packets; CONNECT deadline 3 s; keep-alive x 1.5", "MESSAGE_TOO_LARGE, MALFORMED_PACKET, CONNECT_TIMEOUT, KEEP_ALIVE_TIMEOUT");
        SSLContext tls = mallory.tls(live.root);
        String topic = "devices/mallory/messages/events/";
        StringBuilder held = new StringBuilder();
        double tooLarge = count("hub-1", "MESSAGE_TOO_LARGE");
        try (RawMqtt m = RawMqtt.open(tls, "127.0.6.24", live.hub)) {
            assertThat(m.send(RawMqtt.connect("mallory", 30)).connack()).isZero();
            m.send(RawMqtt.publish(topic, 1, false, 1, new byte[20 * 1024]));
            held.append(String.format("20 KiB publish: closed in %.2f s; ", m.awaitClosed(Duration.ofSeconds(5)).toMillis() / 1000.0));
        }
        try (RawMqtt m = RawMqtt.open(tls, "127.0.6.24", live.hub)) {
            assertThat(m.send(RawMqtt.connect("mallory", 30)).connack()).isZero();
            // remaining length 200,000,000 announced, 10 bytes sent
            m.send(new byte[] {0x32, (byte) 0x80, (byte) 0x84, (byte) 0xAF, 0x5F, 0, 5, 'd', 'e', 'v', 'i', 'c', 0, 1, 0});
            held.append(String.format("200 MB announced: closed in %.2f s; ", m.awaitClosed(Duration.ofSeconds(5)).toMillis() / 1000.0));
        }
        assertThat(count("hub-1", "MESSAGE_TOO_LARGE") - tooLarge).isEqualTo(2);
        double malformed = count("hub-1", "MALFORMED_PACKET");
        try (RawMqtt m = RawMqtt.open(tls, "127.0.6.24", live.hub)) {
            assertThat(m.send(RawMqtt.connect("mallory", 30)).connack()).isZero();
            // a remaining length of five continuation bytes: no such length in MQTT
            m.send(new byte[] {0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F});
            held.append(String.format("bad remaining length: closed in %.2f s; ", m.awaitClosed(Duration.ofSeconds(5)).toMillis() / 1000.0));
        }
        assertThat(count("hub-1", "MALFORMED_PACKET") - malformed).isEqualTo(1);
        double connectTimeout = count("hub-1", "CONNECT_TIMEOUT");
        try (RawMqtt m = RawMqtt.open(tls, "127.0.6.24", live.hub)) {
            byte[] connect = RawMqtt.connect("mallory", 30);
            m.send(java.util.Arrays.copyOf(connect, 8));
            Duration d = m.awaitClosed(Duration.ofSeconds(10));
            assertThat(d).isLessThan(LiveImprint.CONNECT_DEADLINE.plusSeconds(1));
            held.append(String.format("truncated CONNECT: closed in %.2f s; ", d.toMillis() / 1000.0));
        }
        assertThat(count("hub-1", "CONNECT_TIMEOUT") - connectTimeout).isEqualTo(1);
        double keepAlive = count("hub-1", "KEEP_ALIVE_TIMEOUT");
        try (RawMqtt m = RawMqtt.open(tls, "127.0.6.24", live.hub)) {
            assertThat(m.send(RawMqtt.connect("mallory", 2)).connack()).isZero();
            byte[] p = RawMqtt.publish(topic, 1, false, 7, "{\"never\":\"finished\"}".getBytes(StandardCharsets.UTF_8));
            m.send(java.util.Arrays.copyOf(p, p.length - 5));
            Duration d = m.awaitClosed(Duration.ofSeconds(10));
            assertThat(d).isLessThan(Duration.ofSeconds(5));
            held.append(String.format("truncated PUBLISH (keep-alive 2 s): closed in %.2f s", d.toMillis() / 1000.0));
        }
        assertThat(count("hub-1", "KEEP_ALIVE_TIMEOUT") - keepAlive).isEqualTo(1);
        c.held(held.toString());
        c.finish();
    }

    @Test
    void publishes_on_foreign_topics_and_with_qos_2_are_closed_retain_and_will_change_nothing() throws Exception {
        Case c = Case.start(live, "PUBLISH on the bystander's topic, with QoS 2, with retain; CONNECT with a will on another device's topic",
                "own topics only; QoS 0 and 1; no retained messages, no wills", "FOREIGN_TOPIC, QOS2_UNSUPPORTED");
        SSLContext tls = mallory.tls(live.root);
        double foreign = count("hub-1", "FOREIGN_TOPIC");
        double qos2 = count("hub-1", "QOS2_UNSUPPORTED");
        List<String> held = new ArrayList<>();
        try (RawMqtt m = RawMqtt.open(tls, "127.0.6.23", live.hub)) {
            assertThat(m.send(RawMqtt.connect("mallory", 30)).connack()).isZero();
            m.send(RawMqtt.publish("devices/bystander/messages/events/", 1, false, 1, "{\"forged\":1}".getBytes(StandardCharsets.UTF_8)));
            held.add(String.format("foreign topic: closed in %.2f s", m.awaitClosed(Duration.ofSeconds(5)).toMillis() / 1000.0));
        }
        try (RawMqtt m = RawMqtt.open(tls, "127.0.6.23", live.hub)) {
            assertThat(m.send(RawMqtt.connect("mallory", 30)).connack()).isZero();
            m.send(RawMqtt.publish("devices/mallory/messages/events/", 2, false, 1, "{\"q\":2}".getBytes(StandardCharsets.UTF_8)));
            held.add(String.format("QoS 2: closed in %.2f s", m.awaitClosed(Duration.ofSeconds(5)).toMillis() / 1000.0));
        }
        try (RawMqtt m = RawMqtt.open(tls, "127.0.6.23", live.hub)) {
            // a will on the bystander's topic, then the connection drops without DISCONNECT
            assertThat(m.send(RawMqtt.connectWithWill("mallory", "devices/bystander/messages/events/", "{\"will\":1}")).connack()).isZero();
            m.send(RawMqtt.publish("devices/mallory/messages/events/", 1, true, 9, "{\"retained\":1}".getBytes(StandardCharsets.UTF_8)));
            assertThat(m.nextPacketType()).as("PUBACK for the retained publish (stored as telemetry, never retained)").isEqualTo(0x40);
        }
        held.add("retained publish: acknowledged as plain telemetry; will: never published");
        assertThat(count("hub-1", "FOREIGN_TOPIC") - foreign).isEqualTo(1);
        assertThat(count("hub-1", "QOS2_UNSUPPORTED") - qos2).isEqualTo(1);
        // nothing was stored for the bystander that it did not send, nor for mallory but its one retained publish
        assertThat(live.node.store().telemetry().recent("bystander", 10_000)).noneMatch(r -> new String(r.body(), StandardCharsets.UTF_8).contains("forged")
                || new String(r.body(), StandardCharsets.UTF_8).contains("will"));
        c.held(String.join("; ", held));
        c.finish(Map.of("otherTelemetry", 1L));
    }

    @Test
    void a_slow_reader_on_the_hub_costs_the_server_nothing_but_its_own_telemetry() throws Exception {
        long max = Scale.of(10_000);
        Case c = Case.start(live, "slow-read on the hub: a valid device publishing " + max + " QoS 1 (1 KiB) without ever reading a PUBACK",
                "PUBACKs wait in the kernel's socket buffer; no per-device telemetry rate", "(none: see findings)");
        SlowReader.Outcome o;
        try (RawMqtt m = RawMqtt.open(mallory.tls(live.root), "127.0.6.41", live.hub)) {
            assertThat(m.send(RawMqtt.connect("mallory", 30)).connack()).isZero();
            o = m.writeWithoutReading(RawMqtt.publish("devices/mallory/messages/events/", 1, false, 1, new byte[1024]), max,
                    Duration.ofSeconds(10));
        }
        c.held(String.format("%d publishes written in %s, none of their PUBACKs read; connection still open", o.written(),
                o.endedAfter() == null ? "under 10 s" : o.endedAfter().toMillis() + " ms"));
        // the device's own telemetry, stored as such: how much is what this case measures (see docs/security-model.md, Abuse)
        c.growing("otherTelemetry").finish();
    }
}
