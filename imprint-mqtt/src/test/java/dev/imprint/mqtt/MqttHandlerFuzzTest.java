package dev.imprint.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.imprint.pki.validation.ReasonCode;
import dev.imprint.pki.validation.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hub's MQTT transport as a device's TLS stream reaches it: Netty's decoder, the encoder and
 * {@link MqttConnectionHandler}, on an {@link EmbeddedChannel}, with an application that keeps a
 * device to its own topics as the hub does. Any packets in any order and any length: nothing
 * escapes the pipeline, every close carries a reason code other than an unexpected exception's,
 * and everything the server writes is a well-formed MQTT packet.
 * The first input byte picks the certificate's verdict (even: accepted) and where the stream is
 * cut into two reads.
 */
class MqttHandlerFuzzTest {
    static final String ID = "dev-1";
    static final Verdict ACCEPTED = new Verdict.Accepted(ID, List.of());
    static final Verdict REFUSED = new Verdict.Refused(Verdict.Step.PATH, ReasonCode.UNKNOWN_ISSUER, "fuzz");
    static final ConnectionLimits LIMITS = ConnectionLimits.defaults().withMaxMessageBytes(8 * 1024)
            .withConnectsPerClientIdPerMinute(1_000_000);
    /** Reasons that mean an exception reached the handler instead of a decision. */
    static final Set<String> UNDECIDED = Set.of("CONNECTION_LOST", "INTERNAL_ERROR");
    static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();

    /** Real packet sequences, encoded now by Netty's encoder: connect, subscribe, publish QoS 0 and 1, ping, unsubscribe, disconnect. */
    static Stream<byte[]> seeds() {
        MqttMessage connect = MqttMessageBuilders.connect().clientId(ID).protocolVersion(MqttVersion.MQTT_3_1_1)
                .cleanSession(true).keepAlive(60).username("dev-1").build();
        MqttMessage withWill = MqttMessageBuilders.connect().clientId(ID).protocolVersion(MqttVersion.MQTT_3_1)
                .cleanSession(false).keepAlive(0).willFlag(true).willTopic("devices/dev-1/status")
                .willMessage("gone".getBytes(StandardCharsets.UTF_8)).willQoS(MqttQoS.AT_LEAST_ONCE).build();
        MqttMessage subscribe = MqttMessageBuilders.subscribe().messageId(1)
                .addSubscription(MqttQoS.AT_LEAST_ONCE, "devices/dev-1/commands/#").addSubscription(MqttQoS.AT_MOST_ONCE, "#").build();
        MqttMessage telemetry0 = MqttMessageBuilders.publish().topicName("devices/dev-1/telemetry").qos(MqttQoS.AT_MOST_ONCE)
                .payload(Unpooled.wrappedBuffer("{\"t\":21.5}".getBytes(StandardCharsets.UTF_8))).build();
        MqttMessage telemetry1 = MqttMessageBuilders.publish().topicName("devices/dev-1/telemetry").qos(MqttQoS.AT_LEAST_ONCE)
                .messageId(2).payload(Unpooled.wrappedBuffer(new byte[] {1, 2, 3})).build();
        MqttMessage foreign = MqttMessageBuilders.publish().topicName("devices/dev-2/telemetry").qos(MqttQoS.AT_LEAST_ONCE)
                .messageId(3).payload(Unpooled.EMPTY_BUFFER).build();
        MqttMessage unsubscribe = MqttMessageBuilders.unsubscribe().messageId(4).addTopicFilter("#").build();
        return Stream.of(
                MqttPipelineForTests.encoded(0, connect, subscribe, telemetry0, telemetry1, MqttMessage.PINGREQ, unsubscribe, MqttMessage.DISCONNECT),
                MqttPipelineForTests.encoded(2, withWill, telemetry1, foreign),
                MqttPipelineForTests.encoded(1, connect, telemetry0),
                MqttPipelineForTests.encoded(0, subscribe, connect));
    }

    @MethodSource("seeds")
    @FuzzTest
    void any_packets_in_any_order_end_in_a_decision(byte[] data) {
        if (data.length == 0) {
            return;
        }
        EmbeddedChannel ch = MqttPipelineForTests.open(new OwnTopics(), LIMITS, new Disconnector("fuzz", METERS),
                (data[0] & 1) == 0 ? ACCEPTED : REFUSED);
        try {
            int cut = 1 + Math.min(data.length - 1, (data[0] & 0xff) >> 1);
            ch.writeInbound(Unpooled.wrappedBuffer(data, 1, cut - 1));
            ch.runPendingTasks();
            if (ch.isOpen()) {
                ch.writeInbound(Unpooled.wrappedBuffer(data, cut, data.length - cut));
                ch.runPendingTasks();
            }
            if (!ch.isOpen()) {
                String reason = Disconnector.reasonOf(ch);
                assertThat(reason).as("a close without a reason code").isNotNull();
                assertThat(reason).as("an exception, not a decision, closed the connection").isNotIn(UNDECIDED);
            }
            MqttPipelineForTests.forEachWritten(ch, m -> { });
        } finally {
            ch.finishAndReleaseAll();
        }
    }


    /** The hub's rule in small: a device publishes and subscribes under devices/ID/ only. */
    static final class OwnTopics implements MqttApplication {
        @Override
        public CompletionStage<ConnectOutcome> connect(ConnectRequest req, MqttConnection connection) {
            if (!(req.verdict() instanceof Verdict.Accepted a)) {
                return CompletableFuture.completedFuture(ConnectOutcome.refuse(
                        io.netty.handler.codec.mqtt.MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, "CERT_REFUSED", "fuzz"));
            }
            if (!a.identity().equals(req.clientId())) {
                return CompletableFuture.completedFuture(ConnectOutcome.refuse(
                        io.netty.handler.codec.mqtt.MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, "CLIENT_ID_MISMATCH", req.clientId()));
            }
            String own = "devices/" + a.identity() + "/";
            return CompletableFuture.completedFuture(ConnectOutcome.accept(new MqttSession() {
                @Override
                public CompletionStage<Void> onPublish(String topic, int qos, byte[] payload) {
                    if (!topic.startsWith(own)) {
                        throw new MqttRefusal("FOREIGN_TOPIC", topic);
                    }
                    return DONE;
                }

                @Override
                public List<Integer> onSubscribe(List<Subscription> filters) {
                    return filters.stream().map(s -> s.filter().startsWith(own) ? Math.min(1, s.qos()) : 0x80).toList();
                }

                @Override
                public void onUnsubscribe(List<String> filters) {}

                @Override
                public void onClose(String reason) {}
            }));
        }
    }

}
