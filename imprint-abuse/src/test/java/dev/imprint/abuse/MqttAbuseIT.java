package dev.imprint.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imprint.testkit.ClientTls;
import dev.imprint.testkit.TestPki;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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

    static double refusals(String reason) {
        return Scrape.of(live).sum("imprint_mqtt_refusals_total", "server=\"hub-1\"", "reason=\"" + reason + "\"");
    }

    @Test
    void a_slow_reader_on_the_hub_is_no_longer_read_from_and_closed() throws Exception {
        long max = Scale.of(1_000_000);
        Case c = Case.start(live, "slow-read on the hub: a valid device asks for its 7 KB twin again and again (QoS 0 GET) and never reads an answer"
                + " (4 KiB receive buffer)", "128 KiB waiting in the server (write buffer high water mark): reading paused; closed after "
                + LiveImprint.SLOW_READER.toSeconds() + " s so", "SLOW_READER");
        double before = count("hub-1", "SLOW_READER");
        LiveImprint.Device reader = live.device("slow-reader");
        SlowReader.Outcome o;
        try (RawMqtt m = RawMqtt.open(reader.tls(live.root), "127.0.11.2", live.hub, 4096)) {
            assertThat(m.send(RawMqtt.connect("slow-reader", 30)).connack()).isZero();
            m.send(RawMqtt.subscribe("$iothub/twin/res/#", 1));
            assertThat(m.nextPacketType()).as("SUBACK").isEqualTo(0x90);
            String blob = "{\"blob\":\"" + "r".repeat(7000) + "\"}";
            m.send(RawMqtt.publish("$iothub/twin/PATCH/properties/reported/?$rid=1", 0, false, 0, blob.getBytes(StandardCharsets.UTF_8)));
            assertThat(m.nextPacketType()).as("the reported patch's answer").isEqualTo(0x30);
            // from here on nothing is read: every GET asks the hub to send 7 KB more
            o = m.writeWithoutReading(RawMqtt.publish("$iothub/twin/GET/?$rid=2", 0, false, 0, new byte[0]), max, Duration.ofSeconds(30));
        }
        assertThat(o.endedAfter()).as("the slow reader was closed by the server").isNotNull();
        assertThat(o.endedAfter()).isLessThan(Duration.ofSeconds(25));
        assertThat(o.written()).as("GETs the hub read before it stopped reading").isLessThan(max);
        await().atMost(Duration.ofSeconds(5)).until(() -> count("hub-1", "SLOW_READER") >= before + 1);
        assertThat(live.log.has("reason=SLOW_READER", "client=slow-reader")).isTrue();
        c.held(String.format("closed %.2f s after the first GET (%d GETs written, about %d MB of answers asked for)", o.endedAfter().toMillis() / 1000.0,
                o.written(), o.written() * 7 / 1000));
        c.finish(Map.of("devices", 1L, "certificates", 1L, "audit", 1L));
    }

    @Test
    void a_device_over_its_publish_rate_is_held_back_on_3_1_1_and_refused_on_5() throws Exception {
        int n = Scale.of(400);
        int rate = LiveImprint.PUBLISHES_PER_SECOND;
        Case c = Case.start(live, n + " QoS 1 publishes back to back from a valid device, over MQTT 3.1.1 then over MQTT 5",
                rate + " publishes a second per connection (burst " + rate + ")", "PUBLISH_RATE_EXCEEDED (3.1.1 held back, 5 PUBACK 0x97)");
        LiveImprint.Device fast = live.device("fast");
        String topic = "devices/fast/messages/events/";
        double exceeded = refusals("PUBLISH_RATE_EXCEEDED");
        long t0;
        long took;
        try (RawMqtt m = RawMqtt.open(fast.tls(live.root), "127.0.11.3", live.hub)) {
            assertThat(m.send(RawMqtt.connect("fast", 30)).connack()).isZero();
            Thread reader = null;
            int[] acks = new int[1];
            t0 = System.nanoTime();
            reader = new Thread(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        if (m.nextPacketType() == 0x40) {
                            acks[0]++;
                        }
                    }
                } catch (java.io.IOException e) {
                    // counted below
                }
            }, "fast-acks");
            reader.start();
            for (int i = 0; i < n; i++) {
                m.send(RawMqtt.publish(topic, 1, false, i % 65535 + 1, ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
            }
            reader.join(60_000);
            took = System.nanoTime() - t0;
            assertThat(acks[0]).as("3.1.1: every publish acknowledged, none refused").isEqualTo(n);
        }
        // past the burst the rate holds: the last PUBACK came no sooner than the rate allows (less a tenth for the clock)
        assertThat(took).isGreaterThan((long) ((n - rate) * 1e9 / rate * 0.9));
        assertThat(refusals("PUBLISH_RATE_EXCEEDED") - exceeded).as("3.1.1 publishes over the rate, counted").isGreaterThan(0);
        double v311 = refusals("PUBLISH_RATE_EXCEEDED") - exceeded;
        Map<Integer, Integer> codes = new java.util.TreeMap<>();
        try (RawMqtt m = RawMqtt.open(fast.tls(live.root), "127.0.11.3", live.hub)) {
            m.send(RawMqtt.connect5("fast", 30));
            int[] connack = m.nextPacket();
            assertThat(connack[0]).isEqualTo(0x20);
            assertThat(connack[2]).as("MQTT 5 CONNACK reason").isZero();
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < n; i++) {
                all.writeBytes(RawMqtt.publish5(topic, i + 1, ("{\"v5\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
            }
            m.send(all.toByteArray());
            for (int i = 0; i < n; i++) {
                int[] p = m.nextPacket();
                assertThat(p[0]).as("PUBACK").isEqualTo(0x40);
                codes.merge(p.length > 3 ? p[3] : 0, 1, Integer::sum);
            }
        }
        assertThat(codes.keySet()).as("PUBACK reason codes").containsExactlyInAnyOrder(0x00, 0x97);
        assertThat(codes.get(0x00)).as("accepted: the burst, and what the rate refilled meanwhile").isBetween(rate, n - 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> refusals("PUBLISH_RATE_EXCEEDED") - exceeded - v311 >= codes.get(0x97));
        assertThat(live.log.has("reason=PUBLISH_RATE_EXCEEDED", "client=fast")).isTrue();
        c.held(String.format("3.1.1: all %d acknowledged in %.2f s (%.0f/s), %.0f held back; 5: PUBACK codes %s", n, took / 1e9, n / (took / 1e9),
                v311, codes));
        c.growing("otherTelemetry").finish(Map.of("devices", 1L, "certificates", 1L, "audit", 1L));
    }

    @Test
    void connections_past_the_per_source_cap_are_closed_at_accept() throws Exception {
        int cap = LiveImprint.CONNECTIONS_PER_SOURCE;
        int extra = 5;
        Case c = Case.start(live, cap + " TCP connections to a hub (hub-2) from one address, then " + extra + " more",
                cap + " open connections per source address (hub.connectionsPerSource)", "TOO_MANY_CONNECTIONS");
        double before = count("hub-2", "TOO_MANY_CONNECTIONS");
        List<java.net.Socket> held = new ArrayList<>();
        List<Duration> refused = new ArrayList<>();
        long opened;
        try {
            long t0 = System.nanoTime();
            for (int i = 0; i < cap; i++) {
                held.add(tcp("127.0.11.1"));
            }
            opened = System.nanoTime() - t0;
            for (int i = 0; i < extra; i++) {
                try (java.net.Socket s = tcp("127.0.11.1")) {
                    long t = System.nanoTime();
                    try {
                        assertThat(s.getInputStream().read()).isEqualTo(-1);
                    } catch (java.net.SocketException reset) {
                        // closed all the same
                    }
                    refused.add(Duration.ofNanos(System.nanoTime() - t));
                }
            }
            // another address is not affected: its TLS handshake is served
            try (RawMqtt m = RawMqtt.open(mallory.tls(live.root), "127.0.11.4", live.cappedHub)) {
                m.send(RawMqtt.connect("mallory", 30));
            }
        } finally {
            for (java.net.Socket s : held) {
                s.close();
            }
        }
        // opened well within the CONNECT deadline, so none of the held ones had been closed to make room
        assertThat(Duration.ofNanos(opened)).isLessThan(LiveImprint.CONNECT_DEADLINE.minusMillis(500));
        // closed before the CONNECT deadline could have closed them: at accept
        assertThat(refused).allMatch(d -> d.compareTo(LiveImprint.CONNECT_DEADLINE.minusMillis(500)) < 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> count("hub-2", "TOO_MANY_CONNECTIONS") >= before + extra);
        assertThat(live.log.has("reason=TOO_MANY_CONNECTIONS")).isTrue();
        Collections.sort(refused);
        c.held(String.format("%d opened in %.2f s; the next %d closed at accept in %.0f-%.0f ms; another address was served", cap, opened / 1e9, extra,
                refused.get(0).toNanos() / 1e6, refused.get(extra - 1).toNanos() / 1e6));
        c.finish();
    }

    static java.net.Socket tcp(String source) throws java.io.IOException {
        java.net.Socket s = new java.net.Socket();
        s.bind(new java.net.InetSocketAddress(source, 0));
        s.connect(live.cappedHub, 5000);
        s.setSoTimeout(5000);
        return s;
    }
}
