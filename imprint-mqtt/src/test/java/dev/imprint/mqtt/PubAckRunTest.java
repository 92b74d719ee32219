package dev.imprint.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PUBACKs encoded together read back, by Netty's own decoder, as one PUBACK each: Success on MQTT 5, in order. */
class PubAckRunTest {

    @Test
    void a_run_of_pubacks_decodes_as_one_puback_each_in_order_on_3_1_1_and_as_success_on_5() {
        for (MqttVersion v : new MqttVersion[] {MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_5}) {
            EmbeddedChannel server = new EmbeddedChannel();
            PubAckRun run = new PubAckRun(server);
            assertThat(run.write()).as("nothing added, nothing written").isFalse();
            for (int id : new int[] {1, 2, 300, 65535}) {
                run.add(id);
            }
            assertThat(run.write()).isTrue();
            server.flush();
            ByteBuf wire = server.readOutbound();
            assertThat(wire.readableBytes()).isEqualTo(16);

            EmbeddedChannel client = new EmbeddedChannel(new MqttDecoder());
            client.attr(AttributeKey.<MqttVersion>valueOf("NETTY_CODEC_MQTT_VERSION")).set(v);
            client.writeInbound(wire);
            List<Integer> ids = new ArrayList<>();
            for (MqttMessage m; (m = client.readInbound()) != null; ) {
                assertThat(m.decoderResult().isSuccess()).isTrue();
                assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
                MqttPubReplyMessageVariableHeader h = (MqttPubReplyMessageVariableHeader) m.variableHeader();
                assertThat(h.reasonCode()).isZero();
                ids.add(h.messageId());
            }
            assertThat(ids).as(v.toString()).containsExactly(1, 2, 300, 65535);
        }
    }
}
