package dev.imprint.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.pki.validation.ReasonCode;
import dev.imprint.pki.validation.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The MQTT state machine on an EmbeddedChannel: CONNACK codes and the one disconnect path, no sockets. */
class MqttConnectionHandlerTest {
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final AtomicReference<ConnectRequest> seen = new AtomicReference<>();

    final ConnectBudgets budgets = new ConnectBudgets(new ClientIdRateLimiter(2, 100), new ClientIdRateLimiter(5, 100));

    EmbeddedChannel channel(Verdict verdict, MqttApplication app) {
        Disconnector d = new Disconnector("test", meters);
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.attr(ClientCertificateHandler.VERDICT).set(CompletableFuture.completedFuture(verdict));
        ch.pipeline().addLast(new MqttConnectionHandler(app, ConnectionLimits.defaults(), d, budgets));
        ch.pipeline().fireChannelActive();
        return ch;
    }

    static MqttMessage connect(String clientId, MqttVersion v) {
        return MqttMessageBuilders.connect().clientId(clientId).protocolVersion(v).cleanSession(true).keepAlive(60).build();
    }

    double count(String reason) {
        var c = meters.find("imprint.mqtt.disconnects").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    static final Verdict OK = new Verdict.Accepted("dev-1", List.of());

    MqttApplication accepting() {
        return (req, conn) -> {
            seen.set(req);
            return CompletableFuture.completedFuture(ConnectOutcome.accept(new MqttSession() {
                public java.util.concurrent.CompletionStage<Void> onPublish(String t, int q, byte[] p) {
                    throw new MqttRefusal("FOREIGN_TOPIC", t);
                }

                public List<Integer> onSubscribe(List<Subscription> f) {
                    return f.stream().map(s -> 0x80).toList();
                }

                public void onUnsubscribe(List<String> f) {}

                public void onClose(String reason) {}
            }));
        };
    }

    @Test
    void accepted_connect_gets_connack_zero_with_the_request_seen_by_the_application() {
        EmbeddedChannel ch = channel(OK, accepting());
        ch.writeInbound(connect("dev-1", MqttVersion.MQTT_3_1_1));
        ch.runPendingTasks();
        MqttConnAckMessage ack = ch.readOutbound();
        assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        assertThat(seen.get().clientId()).isEqualTo("dev-1");
        assertThat(seen.get().verdict()).isEqualTo(OK);
        assertThat(ch.isActive()).isTrue();
    }

    @Test
    void refusal_from_the_application_sends_its_connack_code_and_closes() {
        Verdict refused = new Verdict.Refused(Verdict.Step.REVOCATION, ReasonCode.REVOKED, "revoked");
        EmbeddedChannel ch = channel(refused, (req, conn) -> CompletableFuture.completedFuture(ConnectOutcome.refuse(
                MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, ((Verdict.Refused) req.verdict()).reason().name(), "no")));
        ch.writeInbound(connect("dev-1", MqttVersion.MQTT_3_1_1));
        ch.runPendingTasks();
        MqttConnAckMessage ack = ch.readOutbound();
        assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
        assertThat(ch.isOpen()).isFalse();
        assertThat(count("REVOKED")).isEqualTo(1);
    }

    @Test
    void a_second_connect_behind_the_first_closes_without_a_word_in_the_wrong_version() {
        // the decoder switches the connection to the second CONNECT's version before the first is answered
        EmbeddedChannel ch = MqttPipelineForTests.open(accepting(), ConnectionLimits.defaults(), new Disconnector("test", meters), OK);
        MqttMessage v5 = MqttMessageBuilders.connect().clientId("dev-1").protocolVersion(MqttVersion.MQTT_5).cleanSession(true).build();
        byte[] both = MqttPipelineForTests.encoded(0, connect("dev-1", MqttVersion.MQTT_3_1), v5);
        ch.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(both, 1, both.length - 1));
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(Disconnector.reasonOf(ch)).isEqualTo("SECOND_CONNECT");
        assertThat((Object) ch.readOutbound()).as("nothing written after the version switched").isNull();
        assertThat(count("SECOND_CONNECT")).isEqualTo(1);
    }

    @Test
    void a_second_connect_on_a_live_session_closes_it() {
        EmbeddedChannel ch = channel(OK, accepting());
        ch.writeInbound(connect("dev-1", MqttVersion.MQTT_3_1_1));
        ch.runPendingTasks();
        MqttConnAckMessage ack = ch.readOutbound();
        assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        ch.writeInbound(connect("dev-1", MqttVersion.MQTT_3_1_1));
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(Disconnector.reasonOf(ch)).isEqualTo("SECOND_CONNECT");
    }

    @Test
    void first_packet_other_than_connect_is_a_protocol_error() {
        EmbeddedChannel ch = channel(OK, accepting());
        ch.writeInbound(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0)));
        assertThat(ch.isOpen()).isFalse();
        assertThat(count("PROTOCOL_ERROR")).isEqualTo(1);
    }

    @Test
    void empty_client_id_is_rejected_with_identifier_rejected() {
        EmbeddedChannel ch = channel(OK, accepting());
        ch.writeInbound(connect("", MqttVersion.MQTT_3_1_1));
        MqttConnAckMessage ack = ch.readOutbound();
        assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED);
        assertThat(count("CLIENT_ID_REJECTED")).isEqualTo(1);
    }

    @Test
    void connect_rate_per_client_id_is_a_refilling_bucket() {
        ClientIdRateLimiter shared = new ClientIdRateLimiter(2, 100);
        assertThat(shared.tryAcquire("loop", 0)).isTrue();
        assertThat(shared.tryAcquire("loop", 1)).isTrue();
        assertThat(shared.tryAcquire("loop", 2)).isFalse();
        assertThat(shared.tryAcquire("other", 2)).isTrue();
        assertThat(shared.tryAcquire("loop", 60_000_000_000L)).isTrue();
    }

    @Test
    void foreign_publish_ends_the_session_through_the_disconnector() {
        EmbeddedChannel ch = channel(OK, accepting());
        ch.writeInbound(connect("dev-1", MqttVersion.MQTT_3_1_1));
        ch.runPendingTasks();
        ch.readOutbound();
        ch.writeInbound(MqttMessageBuilders.publish().topicName("devices/other/messages/events/").qos(MqttQoS.AT_MOST_ONCE)
                .payload(io.netty.buffer.Unpooled.EMPTY_BUFFER).build());
        assertThat(ch.isOpen()).isFalse();
        assertThat(count("FOREIGN_TOPIC")).isEqualTo(1);
    }

    static final Verdict SELF_SIGNED = new Verdict.Refused(Verdict.Step.PATH, ReasonCode.UNKNOWN_ISSUER, "self-signed");

    MqttApplication refusingRefused() {
        return (req, conn) -> req.verdict() instanceof Verdict.Refused r
                ? CompletableFuture.completedFuture(ConnectOutcome.refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, r.reason().name(), "no"))
                : accepting().connect(req, conn);
    }

    MqttConnectReturnCode connectOnce(Verdict v, String clientId) {
        EmbeddedChannel ch = channel(v, refusingRefused());
        ch.writeInbound(connect(clientId, MqttVersion.MQTT_3_1_1));
        ch.runPendingTasks();
        MqttConnAckMessage ack = ch.readOutbound();
        ch.finishAndReleaseAll();
        return ack.variableHeader().connectReturnCode();
    }

    @Test
    void forged_connects_with_a_victims_client_id_never_spend_the_victims_budget() {
        for (int i = 0; i < 100; i++) {
            assertThat(connectOnce(SELF_SIGNED, "dev-1")).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
        }
        assertThat(count("UNKNOWN_ISSUER")).as("the application heard only the refused budget's worth").isEqualTo(5);
        assertThat(count("REFUSED_RATE_LIMITED")).isEqualTo(95);
        assertThat(count("RATE_LIMITED")).isZero();
        assertThat(connectOnce(OK, "dev-1")).as("the real device still connects").isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    }

    @Test
    void the_real_devices_own_reconnect_loop_is_rate_limited_by_its_certified_identity() {
        assertThat(connectOnce(OK, "dev-1")).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        // the budget follows the certificate's identity, whatever client ID is typed
        assertThat(connectOnce(OK, "another-id")).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        assertThat(connectOnce(OK, "dev-1")).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
        assertThat(count("RATE_LIMITED")).isEqualTo(1);
        assertThat(connectOnce(new Verdict.Accepted("dev-2", List.of()), "dev-2")).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    }

    /** A connected channel with Netty's real MQTT decoder in front, for raw bytes. */
    EmbeddedChannel connectedWithDecoder(List<String> stored) {
        MqttApplication app = (req, conn) -> CompletableFuture.completedFuture(ConnectOutcome.accept(new MqttSession() {
            public java.util.concurrent.CompletionStage<Void> onPublish(String t, int q, byte[] p) {
                stored.add(t);
                return CompletableFuture.completedFuture(null);
            }

            public List<Integer> onSubscribe(List<Subscription> f) {
                f.forEach(x -> stored.add(x.filter()));
                return f.stream().map(x -> 0).toList();
            }

            public void onUnsubscribe(List<String> f) {}

            public void onClose(String reason) {}
        }));
        EmbeddedChannel ch = channel(OK, app);
        ch.pipeline().addFirst(new io.netty.handler.codec.mqtt.MqttDecoder());
        ch.writeInbound(connect("dev-1", MqttVersion.MQTT_3_1_1));
        ch.runPendingTasks();
        MqttConnAckMessage ack = ch.readOutbound();
        assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        return ch;
    }

    /** PUBLISH QoS 0 as it comes off the wire: fixed header, topic length, topic bytes, payload. */
    static io.netty.buffer.ByteBuf rawPublish(byte[] topic) {
        byte[] payload = {'{', '}'};
        io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.buffer();
        b.writeByte(0x30).writeByte(2 + topic.length + payload.length).writeShort(topic.length).writeBytes(topic).writeBytes(payload);
        return b;
    }

    static byte[] bytes(String ascii, int... tail) {
        byte[] a = ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] out = java.util.Arrays.copyOf(a, a.length + tail.length);
        for (int i = 0; i < tail.length; i++) {
            out[a.length + i] = (byte) tail[i];
        }
        return out;
    }

    @Test
    void well_formed_topic_is_published() {
        List<String> stored = new java.util.ArrayList<>();
        EmbeddedChannel ch = connectedWithDecoder(stored);
        ch.writeInbound(rawPublish(bytes("devices/dev-1/messages/events/", 0xC3, 0xA9)));
        assertThat(stored).containsExactly("devices/dev-1/messages/events/\u00e9");
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void topic_with_invalid_utf8_closes_the_connection_and_stores_nothing() {
        List<String> stored = new java.util.ArrayList<>();
        EmbeddedChannel ch = connectedWithDecoder(stored);
        // 0xC3 0x28: a lead byte followed by a byte that is not a continuation
        ch.writeInbound(rawPublish(bytes("devices/dev-1/messages/events/", 0xC3, 0x28)));
        assertThat(stored).isEmpty();
        assertThat(ch.isOpen()).isFalse();
        assertThat(count("MALFORMED_UTF8")).isEqualTo(1);
    }

    @Test
    void topic_with_u0000_closes_the_connection_and_stores_nothing() {
        List<String> stored = new java.util.ArrayList<>();
        EmbeddedChannel ch = connectedWithDecoder(stored);
        ch.writeInbound(rawPublish(bytes("devices/dev-1/messages/events/", 0x00, 'x')));
        assertThat(stored).isEmpty();
        assertThat(ch.isOpen()).isFalse();
        assertThat(count("MALFORMED_UTF8")).isEqualTo(1);
    }

    @Test
    void topic_with_a_newline_closes_the_connection_as_a_control_character() {
        List<String> stored = new java.util.ArrayList<>();
        EmbeddedChannel ch = connectedWithDecoder(stored);
        ch.writeInbound(rawPublish(bytes("devices/dev-1/messages/events/", '\n')));
        assertThat(stored).isEmpty();
        assertThat(ch.isOpen()).isFalse();
        assertThat(count("CONTROL_CHARACTER")).isEqualTo(1);
    }

    @Test
    void subscribe_filter_with_invalid_utf8_closes_the_connection() {
        List<String> stored = new java.util.ArrayList<>();
        EmbeddedChannel ch = connectedWithDecoder(stored);
        byte[] f = bytes("devices/dev-1/", 0xFF);
        io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.buffer();
        b.writeByte(0x82).writeByte(2 + 2 + f.length + 1).writeShort(7).writeShort(f.length).writeBytes(f).writeByte(0);
        ch.writeInbound(b);
        assertThat(stored).isEmpty();
        assertThat(ch.isOpen()).isFalse();
        assertThat(count("MALFORMED_UTF8")).isEqualTo(1);
    }

    @Test
    void client_id_with_a_newline_is_refused_and_logged_as_one_escaped_line() {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Disconnector.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines = new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        log.addAppender(lines);
        try {
            EmbeddedChannel c = channel(OK, accepting());
            c.writeInbound(connect("dev-1\r\n2026-12-06 level=ERROR event=forged", MqttVersion.MQTT_3_1_1));
            assertThat(c.isOpen()).isFalse();
            assertThat(count("CONTROL_CHARACTER")).isEqualTo(1);
            assertThat(seen.get()).as("the application never saw it").isNull();
            assertThat(lines.list).hasSize(1);
            String line = lines.list.get(0).getFormattedMessage();
            assertThat(line).doesNotContain("\n", "\r").contains("client=dev-1\\r\\n2026-12-06\\u0020level\\u003dERROR");
        } finally {
            log.detachAppender(lines);
        }
    }

    // ---- keep-alive (MQTT 3.1.1 section 3.1.2.10), on the loop's wheel with the channel's clock frozen and moved by the test

    /** A connected session whose client asked for {@code keepAlive} seconds; the server's cap is 4 s. */
    EmbeddedChannel keepAliveSession(int keepAlive) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.attr(ClientCertificateHandler.VERDICT).set(CompletableFuture.completedFuture(OK));
        ConnectionLimits capped = new ConnectionLimits(256 * 1024, java.time.Duration.ofSeconds(10), 4, 16, 1000, 30);
        ch.pipeline().addLast(new MqttConnectionHandler(accepting(), capped, new Disconnector("test", meters), budgets));
        ch.pipeline().fireChannelActive();
        ch.writeInbound(MqttMessageBuilders.connect().clientId("dev-1").protocolVersion(MqttVersion.MQTT_3_1_1).cleanSession(true)
                .keepAlive(keepAlive).build());
        ch.runPendingTasks();
        MqttConnAckMessage ack = ch.readOutbound();
        assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        return ch;
    }

    static void advance(EmbeddedChannel ch, long ms) {
        for (long t = 0; t < ms; t += 50) {
            ch.advanceTimeBy(50, java.util.concurrent.TimeUnit.MILLISECONDS);
            ch.runScheduledPendingTasks();
            ch.runPendingTasks();
        }
    }

    static MqttMessage pingreq() {
        return new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0));
    }

    /** Open while silent for less than {@code timeoutMs}, closed KEEP_ALIVE_TIMEOUT within a tick or two after it. */
    void closedAfterSilenceOf(EmbeddedChannel ch, long timeoutMs) {
        advance(ch, timeoutMs - 50);
        assertThat(ch.isOpen()).as("silent for less than %d ms", timeoutMs).isTrue();
        advance(ch, 300);
        assertThat(ch.isOpen()).as("silent for %d ms and a tick", timeoutMs).isFalse();
        assertThat(Disconnector.reasonOf(ch)).isEqualTo("KEEP_ALIVE_TIMEOUT");
        assertThat(count("KEEP_ALIVE_TIMEOUT")).isEqualTo(1);
    }

    @Test
    void a_silent_device_is_closed_after_one_and_a_half_keep_alive_periods() {
        closedAfterSilenceOf(keepAliveSession(2), 3_000);
    }

    @Test
    void a_device_that_pings_within_its_keep_alive_stays_and_is_closed_once_it_stops() {
        EmbeddedChannel ch = keepAliveSession(2);
        for (int i = 0; i < 10; i++) {
            advance(ch, 2_000);
            ch.writeInbound(pingreq());
            MqttMessage resp = ch.readOutbound();
            assertThat(resp.fixedHeader().messageType()).isEqualTo(MqttMessageType.PINGRESP);
        }
        assertThat(ch.isOpen()).as("20 s, one PINGREQ per keep-alive").isTrue();
        closedAfterSilenceOf(ch, 3_000);
    }

    @Test
    void keep_alive_zero_is_the_servers_cap_not_never() {
        // 0 asks the server never to time the client out; the server caps every keep-alive (maxKeepAliveSeconds, 4 s here)
        closedAfterSilenceOf(keepAliveSession(0), 6_000);
    }

    @Test
    void a_closed_session_leaves_the_wheel_and_its_timer_stops() {
        EmbeddedChannel ch = keepAliveSession(2);
        ch.writeInbound(new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0)));
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        advance(ch, 11_000);
        assertThat(count("KEEP_ALIVE_TIMEOUT")).isZero();
        assertThat(ch.runScheduledPendingTasks()).as("nothing left scheduled on the loop").isEqualTo(-1);
    }

    @Test
    void connect_buckets_that_filled_up_again_are_dropped() {
        ClientIdRateLimiter limiter = new ClientIdRateLimiter(30, 100);
        assertThat(limiter.tryAcquire("dev-1", 0)).isTrue();
        assertThat(limiter.tryAcquire("dev-2", 1_000_000_000L)).isTrue();
        assertThat(limiter.tracked()).isEqualTo(2);
        // at 11 s dev-1's bucket is full again (one token back every 2 s), dev-2's too: the same as none
        assertThat(limiter.tryAcquire("dev-3", ClientIdRateLimiter.PRUNE_EVERY_NANOS + 1_000_000_000L)).isTrue();
        assertThat(limiter.tracked()).isEqualTo(1);
        // and a bucket not yet full stays: 30 at once spend it, the 31st is refused
        long t = 2 * ClientIdRateLimiter.PRUNE_EVERY_NANOS + 1_000_000_000L;
        for (int i = 0; i < 30; i++) {
            assertThat(limiter.tryAcquire("loop", t)).isTrue();
        }
        assertThat(limiter.tryAcquire("loop", t + 1)).isFalse();
    }
}
