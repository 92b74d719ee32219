package dev.imprint.mqtt;

import dev.imprint.pki.validation.Verdict;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The MQTT part of {@link MqttTlsServer}'s pipeline (decoder, encoder, connection handler) on an
 * {@link EmbeddedChannel}, after a TLS handshake that ended in {@code verdict}: for tests of
 * other modules' {@link MqttApplication}s (the DPS) through the real transport, without sockets.
 */
public final class MqttPipelineForTests {
    private MqttPipelineForTests() {}

    /** A channel as a client reaches the application once TLS is done; connect budgets as configured in {@code limits}. */
    public static EmbeddedChannel open(MqttApplication app, ConnectionLimits limits, Disconnector disconnector, Verdict verdict) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.attr(ClientCertificateHandler.VERDICT).set(CompletableFuture.completedFuture(verdict));
        ch.pipeline().addLast("decoder", new MqttDecoder(limits.maxMessageBytes()))
                .addLast("encoder", MqttEncoder.INSTANCE)
                .addLast("mqtt", new MqttConnectionHandler(app, limits, disconnector,
                        ConnectBudgets.of(limits, ConnectBudgets.REFUSED_PER_SOURCE_PER_MINUTE)));
        ch.pipeline().fireChannelActive();
        return ch;
    }

    /** {@code first}, then the packets as Netty's encoder writes them: a fuzz seed. */
    public static byte[] encoded(int first, MqttMessage... messages) {
        EmbeddedChannel enc = new EmbeddedChannel(MqttEncoder.INSTANCE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(first);
        for (MqttMessage m : messages) {
            enc.writeOutbound(ReferenceCountUtil.retain(m)); // a seed may use one packet twice; the encoder releases it
            for (ByteBuf b; (b = enc.readOutbound()) != null; ) {
                out.writeBytes(ByteBufUtil.getBytes(b));
                b.release();
            }
        }
        enc.finishAndReleaseAll();
        return out.toByteArray();
    }

    /**
     * Decodes everything {@code server} wrote as a client would and hands each packet to
     * {@code check}. @throws AssertionError when a packet does not decode as MQTT
     */
    public static void forEachWritten(EmbeddedChannel server, Consumer<MqttMessage> check) {
        EmbeddedChannel client = new EmbeddedChannel(new MqttDecoder(1024 * 1024));
        try {
            for (Object out; (out = server.readOutbound()) != null; ) {
                client.writeInbound(out);
            }
            for (Object in; (in = client.readInbound()) != null; ) {
                MqttMessage m = (MqttMessage) in;
                try {
                    if (!m.decoderResult().isSuccess()) {
                        throw new AssertionError("the server wrote a malformed packet: " + m.decoderResult().cause());
                    }
                    check.accept(m);
                } finally {
                    ReferenceCountUtil.release(m);
                }
            }
        } finally {
            client.finishAndReleaseAll();
        }
    }
}
