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

    EmbeddedChannel channel(Verdict verdict, MqttApplication app) {
        Disconnector d = new Disconnector("test", meters);
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.attr(ClientCertificateHandler.VERDICT).set(CompletableFuture.completedFuture(verdict));
        ch.pipeline().addLast(new MqttConnectionHandler(app, ConnectionLimits.defaults(), d, new ClientIdRateLimiter(2, 100)));
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
}
