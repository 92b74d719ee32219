package dev.imprint.abuse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * An MQTT 3.1.1 client that sends exactly the packets a test wants, well-formed (encoded by
 * Netty's {@link MqttEncoder}) or not (raw bytes), over real TLS from a source address of the
 * test's choosing, and reads what the server answers.
 */
final class RawMqtt implements AutoCloseable {
    private final Socket raw;
    private final SSLSocket socket;
    private final OutputStream out;
    private final InputStream in;

    private RawMqtt(Socket raw, SSLSocket socket) throws IOException {
        this.raw = raw;
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = socket.getInputStream();
    }

    /** Connects from {@code source} and completes the TLS handshake. */
    static RawMqtt open(SSLContext tls, String source, InetSocketAddress to) throws IOException {
        return open(tls, source, to, 0);
    }

    /** As above, with a receive buffer of {@code receiveBuffer} bytes (0: the system's): a small one makes a client that does not read fill up quickly. */
    static RawMqtt open(SSLContext tls, String source, InetSocketAddress to, int receiveBuffer) throws IOException {
        Socket raw = new Socket();
        if (receiveBuffer > 0) {
            // before connect: the window the client advertises is set by it
            raw.setReceiveBufferSize(receiveBuffer);
        }
        raw.bind(new InetSocketAddress(source, 0));
        raw.connect(to, 5000);
        SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw, to.getHostString(), to.getPort(), true);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return new RawMqtt(raw, s);
    }

    static byte[] encode(MqttMessage m) {
        EmbeddedChannel ch = new EmbeddedChannel(MqttEncoder.INSTANCE);
        ch.writeOutbound(m);
        ByteBuf b = ch.readOutbound();
        byte[] bytes = ByteBufUtil.getBytes(b);
        b.release();
        ch.finishAndReleaseAll();
        return bytes;
    }

    static byte[] connect(String clientId, int keepAliveSeconds) {
        return encode(MqttMessageBuilders.connect().clientId(clientId).protocolVersion(MqttVersion.MQTT_3_1_1)
                .cleanSession(true).keepAlive(keepAliveSeconds).build());
    }

    static byte[] connect5(String clientId, int keepAliveSeconds) {
        return encode(MqttMessageBuilders.connect().clientId(clientId).protocolVersion(MqttVersion.MQTT_5)
                .cleanSession(true).keepAlive(keepAliveSeconds).build());
    }

    static byte[] subscribe(String filter, int packetId) {
        return encode(MqttMessageBuilders.subscribe().addSubscription(MqttQoS.AT_MOST_ONCE, filter).messageId(packetId).build());
    }

    /** An MQTT 5 QoS 1 PUBLISH, by hand (Netty's encoder takes the version from its channel): no properties. */
    static byte[] publish5(String topic, int packetId, byte[] payload) {
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        int remaining = 2 + t.length + 2 + 1 + payload.length;
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.write(0x32);
        do {
            int d = remaining % 128;
            remaining /= 128;
            b.write(remaining > 0 ? d | 0x80 : d);
        } while (remaining > 0);
        b.write(t.length >> 8);
        b.write(t.length);
        b.writeBytes(t);
        b.write(packetId >> 8);
        b.write(packetId);
        b.write(0);
        b.writeBytes(payload);
        return b.toByteArray();
    }

    /** Reads one packet: its first byte and its body (-1 and empty when the server closed). */
    int[] nextPacket() throws IOException {
        int type = in.read();
        if (type < 0) {
            return new int[] {-1};
        }
        int len = 0;
        int shift = 0;
        int d;
        do {
            d = in.read();
            len |= (d & 0x7F) << shift;
            shift += 7;
        } while ((d & 0x80) != 0);
        byte[] body = in.readNBytes(len);
        int[] out = new int[body.length + 1];
        out[0] = type;
        for (int i = 0; i < body.length; i++) {
            out[i + 1] = body[i] & 0xFF;
        }
        return out;
    }

    static byte[] connectWithWill(String clientId, String willTopic, String will) {
        return encode(MqttMessageBuilders.connect().clientId(clientId).protocolVersion(MqttVersion.MQTT_3_1_1).cleanSession(true)
                .keepAlive(30).willFlag(true).willTopic(willTopic).willQoS(MqttQoS.AT_LEAST_ONCE).willRetain(true)
                .willMessage(will.getBytes(StandardCharsets.UTF_8)).build());
    }

    static byte[] publish(String topic, int qos, boolean retain, int packetId, byte[] payload) {
        return encode(MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.valueOf(qos)).retained(retain).messageId(packetId)
                .payload(Unpooled.wrappedBuffer(payload)).build());
    }

    RawMqtt send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** The CONNACK's return code (0 accepted), or -1 when the server closed without one. */
    int connack() throws IOException {
        int type = in.read();
        if (type < 0) {
            return -1;
        }
        if (type != 0x20) {
            throw new IOException("expected CONNACK, got packet type byte " + type);
        }
        in.read();
        in.read();
        return in.read();
    }

    /** Reads one packet's first byte (0x40 PUBACK ...), or -1 when the server closed. */
    int nextPacketType() throws IOException {
        int type = in.read();
        if (type < 0) {
            return -1;
        }
        int len = in.read();
        in.readNBytes(len);
        return type;
    }

    /** Reads (discarding) until the server closes; the time that took. */
    Duration awaitClosed(Duration max) throws IOException {
        return dev.imprint.testkit.RawTcp.untilClosed(socket, max);
    }

    /** Sends {@code packet} up to {@code max} times without reading (see {@link SlowReader}); how many were written. */
    SlowReader.Outcome writeWithoutReading(byte[] packet, long max, Duration during) throws Exception {
        return SlowReader.writeWithoutReading(socket, packet, max, during);
    }

    @Override
    public void close() throws IOException {
        // the TCP socket first: closing the TLS one waits for a writer blocked on a server that stopped reading
        raw.close();
        socket.close();
    }
}
