package dev.imprint.bench.hub;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubAckMessage;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;

/**
 * The one MQTT-over-mTLS client used against both servers (the hub and mosquitto): Netty with
 * BoringSSL, a new TLS session per connection (no resumption: every connection is a full mutual
 * handshake), MQTT 3.1.1 (or 5) CONNECT with the device ID as client ID.
 */
final class MqttLoadClient implements AutoCloseable {
    private final EventLoopGroup group;
    private final MqttVersion version;

    MqttLoadClient(int threads) {
        this(threads, MqttVersion.MQTT_3_1_1);
    }

    MqttLoadClient(int threads, MqttVersion version) {
        this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        this.version = version;
    }

    /** Completes with the channel at CONNACK 0; fails on a refusal or a closed connection. */
    CompletableFuture<Channel> connect(InetSocketAddress server, String clientId, SslContext ssl, IntConsumer onPubAck) {
        CompletableFuture<Channel> done = new CompletableFuture<>();
        open(server, ssl, done, new Session(connectMessage(clientId), done) {
            @Override
            void accepted(ChannelHandlerContext ctx) {
                done.complete(ctx.channel());
            }

            @Override
            void read(ChannelHandlerContext ctx, MqttMessage m) {
                if (m instanceof MqttPubAckMessage p && onPubAck != null) {
                    onPubAck.accept(p.variableHeader().messageId());
                }
            }
        });
        return done;
    }

    /**
     * One connection's handler: sends the CONNECT when the channel is up; a refused CONNACK, a
     * close or an error before {@code ready} completes fails it.
     */
    abstract static class Session extends SimpleChannelInboundHandler<MqttMessage> {
        private final MqttMessage connect;
        final CompletableFuture<Channel> ready;

        Session(MqttMessage connect, CompletableFuture<Channel> ready) {
            this.connect = connect;
            this.ready = ready;
        }

        /** CONNACK 0 came. */
        abstract void accepted(ChannelHandlerContext ctx);

        /** Any message but the CONNACK. */
        abstract void read(ChannelHandlerContext ctx, MqttMessage m);

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(connect);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, MqttMessage m) {
            if (!(m instanceof MqttConnAckMessage ack)) {
                read(ctx, m);
            } else if (ack.variableHeader().connectReturnCode() == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                accepted(ctx);
            } else {
                ready.completeExceptionally(new IllegalStateException("CONNACK " + ack.variableHeader().connectReturnCode()));
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ready.completeExceptionally(new IllegalStateException("closed before ready"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ready.completeExceptionally(cause);
            ctx.close();
        }
    }

    /**
     * Connects over TLS with the MQTT codec and {@code handler} last in the pipeline (a new
     * instance per call: it may keep state); {@code done} fails when the TCP connect does.
     */
    void open(InetSocketAddress server, SslContext ssl, CompletableFuture<Channel> done, ChannelHandler handler) {
        new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 20_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(ssl.newHandler(ch.alloc()), new MqttDecoder(), MqttEncoder.INSTANCE, handler);
                    }
                })
                .connect(server).addListener(f -> {
                    if (!f.isSuccess()) {
                        done.completeExceptionally(f.cause());
                    }
                });
    }

    /** The CONNECT this client sends (clean session, its MQTT version). */
    MqttMessage connectMessage(String clientId) {
        return MqttMessageBuilders.connect().clientId(clientId).protocolVersion(version).cleanSession(true).keepAlive(600).build();
    }

    static MqttPublishMessage publish(String topic, int qos, int packetId, byte[] payload) {
        return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.valueOf(qos), false, 0),
                new MqttPublishVariableHeader(topic, qos == 0 ? -1 : packetId), Unpooled.wrappedBuffer(payload));
    }

    static void disconnect(Channel ch) {
        ch.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0)))
                .addListener(f -> ch.close());
    }

    static void release(Object o) {
        ReferenceCountUtil.release(o);
    }

    @Override
    public void close() {
        group.shutdownGracefully().syncUninterruptibly();
    }
}
