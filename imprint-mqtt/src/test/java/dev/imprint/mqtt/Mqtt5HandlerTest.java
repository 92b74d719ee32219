package dev.imprint.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.pki.validation.ReasonCode;
import dev.imprint.pki.validation.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** MQTT 5 in the state machine, on an EmbeddedChannel: CONNACK properties, reason codes on every packet, the client's limits. */
class Mqtt5HandlerTest {
    static final Verdict OK = new Verdict.Accepted("dev-1", List.of());
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final ConnectBudgets budgets = new ConnectBudgets(new ClientIdRateLimiter(100, 100), new ClientIdRateLimiter(100, 100));
    final AtomicReference<MqttConnection> conn = new AtomicReference<>();
    final List<PublishProperties> published = new ArrayList<>();
    /** The stage of a publish on "slow": completed by the test (a telemetry batch's commit). */
    final CompletableFuture<Void> slow = new CompletableFuture<>();

    /** A session that accepts its own topic "ok" and refuses every other publish and filter as FOREIGN_TOPIC. */
    final MqttApplication app = (req, c) -> {
        conn.set(c);
        return CompletableFuture.completedFuture(ConnectOutcome.accept(new MqttSession() {
            public CompletionStage<Void> onPublish(String t, int q, byte[] p) {
                throw new AssertionError("the transport calls the four-argument onPublish");
            }

            public CompletionStage<Void> onPublish(String t, int q, byte[] p, PublishProperties props) {
                if (t.equals("slow")) {
                    return slow;
                }
                if (!t.equals("ok")) {
                    throw new MqttRefusal("FOREIGN_TOPIC", t);
                }
                published.add(props);
                return DONE;
            }

            public List<Integer> onSubscribe(List<Subscription> f) {
                return f.stream().map(s -> s.filter().equals("ok") ? 1 : 0x80).toList();
            }

            public void onUnsubscribe(List<String> f) {}

            public void onClose(String reason) {}
        }));
    };

    EmbeddedChannel channel(Verdict verdict, MqttApplication a, boolean mqtt5) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.attr(ClientCertificateHandler.VERDICT).set(CompletableFuture.completedFuture(verdict));
        ch.pipeline().addLast(new MqttConnectionHandler(a, ConnectionLimits.defaults(), new Disconnector("test", meters), budgets, mqtt5));
        ch.pipeline().fireChannelActive();
        return ch;
    }

    static MqttMessage connect5(int keepAlive, Consumer<MqttProperties> props) {
        MqttProperties p = new MqttProperties();
        props.accept(p);
        return MqttMessageBuilders.connect().clientId("dev-1").protocolVersion(MqttVersion.MQTT_5).cleanSession(true)
                .keepAlive(keepAlive).properties(p).build();
    }

    /** A connected MQTT 5 channel, its CONNACK read. */
    EmbeddedChannel connected(Consumer<MqttProperties> props) {
        EmbeddedChannel ch = channel(OK, app, true);
        ch.writeInbound(connect5(60, props));
        ch.runPendingTasks();
        MqttConnAckMessage ack = ch.readOutbound();
        assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        return ch;
    }

    static MqttMessage publish(String topic, int qos, int id, Consumer<MqttProperties> props, boolean retain) {
        MqttProperties p = new MqttProperties();
        props.accept(p);
        return MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.valueOf(qos)).messageId(id).retained(retain)
                .payload(Unpooled.wrappedBuffer(new byte[] {1})).properties(p).build();
    }

    static String reasonString(MqttProperties p) {
        return p.getProperty(MqttProperties.REASON_STRING) instanceof MqttProperties.StringProperty s ? s.value() : null;
    }

    static Object prop(MqttProperties p, int id) {
        MqttProperties.MqttProperty<?> x = p.getProperty(id);
        return x == null ? null : x.value();
    }

    /** The DISCONNECT the server sent: its reason code and reason string. */
    static String disconnectOf(EmbeddedChannel ch) {
        MqttMessage m = ch.readOutbound();
        assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
        MqttReasonCodeAndPropertiesVariableHeader h = (MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader();
        return String.format("0x%02X %s", h.reasonCode(), reasonString(h.properties()));
    }

    @Test
    void connack_states_what_this_server_supports() {
        EmbeddedChannel ch = channel(OK, app, true);
        ch.writeInbound(connect5(0, p -> p.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, 3600))));
        ch.runPendingTasks();
        MqttConnAckMessage ack = ch.readOutbound();
        MqttProperties p = ack.variableHeader().properties();
        assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        assertThat(ack.variableHeader().isSessionPresent()).isFalse();
        assertThat(prop(p, MqttProperties.RECEIVE_MAXIMUM)).isEqualTo(16);
        assertThat(prop(p, MqttProperties.MAXIMUM_PACKET_SIZE)).isEqualTo(256 * 1024);
        assertThat(prop(p, MqttProperties.TOPIC_ALIAS_MAXIMUM)).isEqualTo(0);
        assertThat(prop(p, MqttProperties.MAXIMUM_QOS)).isEqualTo(1);
        assertThat(prop(p, MqttProperties.RETAIN_AVAILABLE)).isEqualTo(0);
        assertThat(prop(p, MqttProperties.WILDCARD_SUBSCRIPTION_AVAILABLE)).isEqualTo(1);
        assertThat(prop(p, MqttProperties.SUBSCRIPTION_IDENTIFIER_AVAILABLE)).isEqualTo(0);
        assertThat(prop(p, MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE)).isEqualTo(0);
        assertThat(prop(p, MqttProperties.SESSION_EXPIRY_INTERVAL)).as("no session outlives its connection").isEqualTo(0);
        assertThat(prop(p, MqttProperties.SERVER_KEEP_ALIVE)).as("keep-alive 0 is overridden by our cap").isEqualTo(1200);
        assertThat(prop(p, MqttProperties.ASSIGNED_CLIENT_IDENTIFIER)).isNull();
    }

    @Test
    void keep_alive_within_the_cap_is_not_overridden() {
        EmbeddedChannel ch = channel(OK, app, true);
        ch.writeInbound(connect5(60, p -> { }));
        ch.runPendingTasks();
        MqttConnAckMessage ack = ch.readOutbound();
        assertThat(prop(ack.variableHeader().properties(), MqttProperties.SERVER_KEEP_ALIVE)).isNull();
        assertThat(prop(ack.variableHeader().properties(), MqttProperties.SESSION_EXPIRY_INTERVAL)).isNull();
    }

    @Test
    void refused_certificate_gets_connack_0x87_naming_our_reason() {
        Verdict refused = new Verdict.Refused(Verdict.Step.REVOCATION, ReasonCode.REVOKED, "revoked");
        EmbeddedChannel ch = channel(refused, (req, c) -> CompletableFuture.completedFuture(ConnectOutcome.refuse(
                MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, "REVOKED", "no")), true);
        ch.writeInbound(connect5(60, p -> { }));
        ch.runPendingTasks();
        MqttConnAckMessage ack = ch.readOutbound();
        assertThat(ack.variableHeader().connectReturnCode().byteValue()).isEqualTo((byte) 0x87);
        assertThat(reasonString(ack.variableHeader().properties())).isEqualTo("REVOKED");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void a_server_without_mqtt5_answers_0x84_and_one_with_it_accepts() {
        EmbeddedChannel off = channel(OK, app, false);
        off.writeInbound(connect5(60, p -> { }));
        MqttConnAckMessage ack = off.readOutbound();
        assertThat(ack.variableHeader().connectReturnCode().byteValue()).isEqualTo((byte) 0x84);
        assertThat(reasonString(ack.variableHeader().properties())).isEqualTo("UNSUPPORTED_PROTOCOL_VERSION");
        assertThat(off.isOpen()).isFalse();
        assertThat(connected(p -> { }).isActive()).isTrue();
    }

    @Test
    void enhanced_authentication_is_refused_with_0x8c() {
        EmbeddedChannel ch = channel(OK, app, true);
        ch.writeInbound(connect5(60, p -> p.add(new MqttProperties.StringProperty(MqttProperties.AUTHENTICATION_METHOD, "SCRAM-SHA-1"))));
        MqttConnAckMessage ack = ch.readOutbound();
        assertThat(ack.variableHeader().connectReturnCode().byteValue()).isEqualTo((byte) 0x8C);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void refused_qos1_publish_gets_puback_0x87_and_the_session_stays() {
        EmbeddedChannel ch = connected(p -> { });
        ch.writeInbound(publish("elsewhere", 1, 7, p -> { }, false));
        ch.writeInbound(publish("ok", 1, 8, p -> { }, false));
        ch.flushOutbound();
        MqttMessage refused = ch.readOutbound();
        MqttPubReplyMessageVariableHeader h = (MqttPubReplyMessageVariableHeader) refused.variableHeader();
        assertThat(h.messageId()).isEqualTo(7);
        assertThat(h.reasonCode()).isEqualTo((byte) 0x87);
        assertThat(reasonString(h.properties())).isEqualTo("FOREIGN_TOPIC");
        MqttPubReplyMessageVariableHeader good = (MqttPubReplyMessageVariableHeader) ((MqttMessage) ch.readOutbound()).variableHeader();
        assertThat(good.messageId()).isEqualTo(8);
        assertThat(good.reasonCode()).isZero();
        assertThat(ch.isActive()).isTrue();
        assertThat(meters.find("imprint.mqtt.refusals").tag("reason", "FOREIGN_TOPIC").counter().count()).isEqualTo(1);
    }

    @Test
    void a_store_failure_after_the_fact_is_puback_0x83_in_order_and_what_follows_is_acknowledged() {
        EmbeddedChannel ch = connected(p -> { });
        ch.writeInbound(publish("slow", 1, 1, p -> { }, false));
        ch.writeInbound(publish("ok", 1, 2, p -> { }, false));
        assertThat((Object) ch.readOutbound()).as("the second waits behind the first").isNull();
        slow.completeExceptionally(new MqttRefusal("STORE_UNAVAILABLE", "disk full"));
        ch.runPendingTasks();
        MqttPubReplyMessageVariableHeader first = (MqttPubReplyMessageVariableHeader) next(ch).variableHeader();
        MqttPubReplyMessageVariableHeader second = (MqttPubReplyMessageVariableHeader) next(ch).variableHeader();
        assertThat(first.messageId()).isEqualTo(1);
        assertThat(first.reasonCode()).isEqualTo((byte) 0x83);
        assertThat(reasonString(first.properties())).isEqualTo("STORE_UNAVAILABLE");
        assertThat(second.messageId()).isEqualTo(2);
        assertThat(second.reasonCode()).isZero();
        assertThat(ch.isActive()).isTrue();
    }

    @Test
    void a_refusal_behind_a_waiting_publish_is_answered_after_it_and_counted_once() {
        EmbeddedChannel ch = connected(p -> { });
        ch.writeInbound(publish("slow", 1, 1, p -> { }, false));
        ch.writeInbound(publish("elsewhere", 1, 2, p -> { }, false));
        assertThat((Object) ch.readOutbound()).isNull();
        slow.complete(null);
        ch.runPendingTasks();
        MqttPubReplyMessageVariableHeader first = (MqttPubReplyMessageVariableHeader) next(ch).variableHeader();
        MqttPubReplyMessageVariableHeader second = (MqttPubReplyMessageVariableHeader) next(ch).variableHeader();
        assertThat(first.messageId()).isEqualTo(1);
        assertThat(first.reasonCode()).isZero();
        assertThat(second.messageId()).isEqualTo(2);
        assertThat(second.reasonCode()).isEqualTo((byte) 0x87);
        assertThat(meters.find("imprint.mqtt.refusals").tag("reason", "FOREIGN_TOPIC").counter().count()).isEqualTo(1);
    }

    @Test
    void no_reason_string_when_the_client_asked_for_no_problem_information() {
        EmbeddedChannel ch = connected(p -> p.add(new MqttProperties.IntegerProperty(MqttProperties.REQUEST_PROBLEM_INFORMATION, 0)));
        ch.writeInbound(publish("elsewhere", 1, 7, p -> { }, false));
        ch.flushOutbound();
        MqttPubReplyMessageVariableHeader h = (MqttPubReplyMessageVariableHeader) ((MqttMessage) ch.readOutbound()).variableHeader();
        assertThat(h.reasonCode()).isEqualTo((byte) 0x87);
        assertThat(reasonString(h.properties())).isNull();
    }

    @Test
    void refused_qos0_publish_ends_with_disconnect_0x87() {
        EmbeddedChannel ch = connected(p -> { });
        ch.writeInbound(publish("elsewhere", 0, 0, p -> { }, false));
        assertThat(disconnectOf(ch)).isEqualTo("0x87 FOREIGN_TOPIC");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void topic_alias_is_refused_with_disconnect_0x94_and_retain_with_0x9a() {
        EmbeddedChannel alias = connected(p -> { });
        alias.writeInbound(publish("ok", 1, 1, p -> p.add(new MqttProperties.IntegerProperty(MqttProperties.TOPIC_ALIAS, 1)), false));
        assertThat(disconnectOf(alias)).isEqualTo("0x94 TOPIC_ALIAS_INVALID");
        EmbeddedChannel retain = connected(p -> { });
        retain.writeInbound(publish("ok", 1, 1, p -> { }, true));
        assertThat(disconnectOf(retain)).isEqualTo("0x9A RETAIN_UNSUPPORTED");
        assertThat(published).isEmpty();
    }

    @Test
    void user_properties_content_type_and_format_reach_the_session() {
        EmbeddedChannel ch = connected(p -> { });
        ch.writeInbound(publish("ok", 1, 1, p -> {
            p.add(new MqttProperties.UserProperty("a", "1"));
            p.add(new MqttProperties.UserProperty("b", "2"));
            p.add(new MqttProperties.StringProperty(MqttProperties.CONTENT_TYPE, "application/json"));
            p.add(new MqttProperties.IntegerProperty(MqttProperties.PAYLOAD_FORMAT_INDICATOR, 1));
        }, false));
        assertThat(published).containsExactly(new PublishProperties(
                List.of(new PublishProperties.UserProperty("a", "1"), new PublishProperties.UserProperty("b", "2")), "application/json", true));
    }

    @Test
    void suback_says_0x87_for_a_foreign_filter_and_0x9e_for_a_shared_one() {
        EmbeddedChannel ch = connected(p -> { });
        ch.writeInbound(MqttMessageBuilders.subscribe().messageId(3).addSubscription(MqttQoS.AT_LEAST_ONCE, "ok")
                .addSubscription(MqttQoS.AT_LEAST_ONCE, "$share/g/ok").addSubscription(MqttQoS.AT_LEAST_ONCE, "other").build());
        MqttSubAckMessage ack = ch.readOutbound();
        assertThat(ack.payload().reasonCodes()).containsExactly(1, 0x9E, 0x87);
    }

    @Test
    void subscription_identifiers_are_refused_with_disconnect_0xa1() {
        EmbeddedChannel ch = connected(p -> { });
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER, 5));
        ch.writeInbound(MqttMessageBuilders.subscribe().messageId(3).properties(p).addSubscription(MqttQoS.AT_LEAST_ONCE, "ok").build());
        assertThat(disconnectOf(ch)).isEqualTo("0xA1 SUBSCRIPTION_IDENTIFIERS_UNSUPPORTED");
    }

    @Test
    void a_server_side_end_is_a_disconnect_with_its_reason_on_5_and_a_bare_close_on_311() {
        EmbeddedChannel v5 = connected(p -> { });
        conn.get().close("SESSION_TAKEN", "the device connected again");
        assertThat(disconnectOf(v5)).isEqualTo("0x8E SESSION_TAKEN");
        assertThat(v5.isOpen()).isFalse();

        EmbeddedChannel v311 = channel(OK, app, true);
        v311.writeInbound(MqttConnectionHandlerTest.connect("dev-1", MqttVersion.MQTT_3_1_1));
        v311.runPendingTasks();
        assertThat(((MqttConnAckMessage) v311.readOutbound()).variableHeader().properties().isEmpty()).isTrue();
        conn.get().close("SESSION_TAKEN", "the device connected again");
        assertThat((Object) v311.readOutbound()).isNull();
        assertThat(v311.isOpen()).isFalse();
    }

    @Test
    void the_clients_receive_maximum_bounds_what_is_in_flight_to_it() {
        EmbeddedChannel ch = connected(p -> p.add(new MqttProperties.IntegerProperty(MqttProperties.RECEIVE_MAXIMUM, 2)));
        for (int i = 0; i < 3; i++) {
            conn.get().publish("c2d", 1, new byte[] {(byte) i});
        }
        ch.runPendingTasks();
        assertThat(drainPublishes(ch)).isEqualTo(2);
        ch.writeInbound(MqttMessageBuilders.pubAck().packetId(1).build());
        assertThat(drainPublishes(ch)).isEqualTo(1);
    }

    @Test
    void nothing_larger_than_the_clients_maximum_packet_size_is_sent() {
        EmbeddedChannel ch = connected(p -> p.add(new MqttProperties.IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, 100)));
        CompletableFuture<Void> big = conn.get().publish("c2d", 1, new byte[200]).toCompletableFuture();
        CompletableFuture<Void> small = conn.get().publish("c2d", 1, new byte[20]).toCompletableFuture();
        ch.runPendingTasks();
        assertThat(big).isCompletedExceptionally();
        assertThat(small).isNotDone();
        assertThat(drainPublishes(ch)).isEqualTo(1);
    }

    @Test
    void a_publish_over_our_maximum_packet_size_ends_with_disconnect_0x95_and_one_within_it_is_stored() {
        // real codec on both sides: the server's decoder refuses the frame, as on a socket
        EmbeddedChannel client = new EmbeddedChannel(MqttEncoder.INSTANCE);
        EmbeddedChannel server = new EmbeddedChannel();
        server.attr(ClientCertificateHandler.VERDICT).set(CompletableFuture.completedFuture(OK));
        server.pipeline().addLast(new MqttDecoder(2048),
                new MqttConnectionHandler(app, ConnectionLimits.defaults().withMaxMessageBytes(2048), new Disconnector("test", meters), budgets, true));
        server.pipeline().fireChannelActive();
        client.writeOutbound(connect5(60, p -> { }));
        client.writeOutbound(MqttMessageBuilders.publish().topicName("ok").qos(MqttQoS.AT_LEAST_ONCE).messageId(1)
                .payload(Unpooled.wrappedBuffer(new byte[1000])).properties(new MqttProperties()).build());
        client.writeOutbound(MqttMessageBuilders.publish().topicName("ok").qos(MqttQoS.AT_LEAST_ONCE).messageId(2)
                .payload(Unpooled.wrappedBuffer(new byte[4000])).properties(new MqttProperties()).build());
        for (Object b; (b = client.readOutbound()) != null; ) {
            server.writeInbound(b);
            server.runPendingTasks();
        }
        assertThat(((MqttConnAckMessage) server.readOutbound()).variableHeader().connectReturnCode())
                .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        assertThat(((MqttPubReplyMessageVariableHeader) ((MqttMessage) server.readOutbound()).variableHeader()).messageId()).isEqualTo(1);
        assertThat(disconnectOf(server)).isEqualTo("0x95 MESSAGE_TOO_LARGE");
        assertThat(published).hasSize(1);
    }

    private final java.util.ArrayDeque<MqttMessage> unpacked = new java.util.ArrayDeque<>();

    /** The next packet written; PUBACKs written together as wire bytes (PubAckRun) come back one message each. */
    private MqttMessage next(EmbeddedChannel ch) {
        if (!unpacked.isEmpty()) {
            return unpacked.poll();
        }
        Object o = ch.readOutbound();
        if (!(o instanceof io.netty.buffer.ByteBuf b)) {
            return (MqttMessage) o;
        }
        while (b.isReadable()) {
            assertThat(b.readUnsignedByte()).as("PUBACK").isEqualTo((short) 0x40);
            assertThat(b.readUnsignedByte()).as("remaining length").isEqualTo((short) 2);
            unpacked.add(MqttMessageBuilders.pubAck().packetId(b.readUnsignedShort()).build());
        }
        b.release();
        return unpacked.poll();
    }

    static int drainPublishes(EmbeddedChannel ch) {
        int n = 0;
        for (Object m; (m = ch.readOutbound()) != null; ) {
            if (m instanceof MqttPublishMessage p) {
                p.release();
                n++;
            }
        }
        return n;
    }
}
