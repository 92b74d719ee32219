package dev.imprint.device.cloud;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubAckMessage;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * What the device's two MQTT clients (the hub session and DPS registration) share: the channel
 * (mutual TLS with the server's name checked, MQTT 3.1.1 codec, a PINGREQ after 60 s of
 * silence), the packets they build, CONNACK reason codes, and topic parameters.
 */
final class Mqtt {
    static final int PING_AFTER_SECONDS = 60;

    private Mqtt() {}

    /**
     * Opens the TCP connection; {@code handler} is made per channel and goes last in the pipeline.
     * A connect failure fails {@code done} with a CloudException (UNREACHABLE ...). Takes
     * {@code ssl} over: made for this connection, released once the connect attempt is over.
     */
    static void open(DeviceRuntime rt, URI endpoint, SslContext ssl, Duration timeout, Function<Channel, ChannelHandler> handler,
            CompletableFuture<?> done) {
        String host = endpoint.getHost();
        int port = endpoint.getPort() > 0 ? endpoint.getPort() : 8883;
        rt.bootstrap(timeout).handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(Tls.handler(ssl, ch.alloc(), host, port), new MqttDecoder(1 << 20), MqttEncoder.INSTANCE,
                                new IdleStateHandler(0, PING_AFTER_SECONDS, 0), handler.apply(ch));
                    }
                })
                .connect(host, port).addListener(f -> {
                    Tls.release(ssl); // the channel was initialised on registration: its engine holds its own reference
                    if (!f.isSuccess()) {
                        done.completeExceptionally(CloudException.of(f.cause()));
                    }
                });
    }

    /**
     * Opens a client connection whose handler (made by {@code handler} for the channel and the
     * future) completes the future when the client is ready. Bounded by {@code timeout}; on any
     * failure the channel is closed and the future fails with a CloudException.
     */
    static <T> CompletableFuture<T> session(DeviceRuntime rt, URI endpoint, SslContext ssl, Duration timeout,
            java.util.function.BiFunction<Channel, CompletableFuture<T>, ChannelHandler> handler) {
        CompletableFuture<T> done = new CompletableFuture<>();
        Channel[] opened = new Channel[1];
        open(rt, endpoint, ssl, timeout, ch -> {
            opened[0] = ch;
            return handler.apply(ch, done);
        }, done);
        return done.orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).whenComplete((c, t) -> {
            if (t != null && opened[0] != null) {
                opened[0].close();
            }
        }).exceptionallyCompose(t -> CompletableFuture.failedFuture(CloudException.of(t)));
    }

    /**
     * The base of the clients' handlers: {@code done} completes when the client is ready; an
     * undecodable packet, an exception or a refusal ends the connection through {@link #fail}
     * (BAD_RESPONSE, TLS_FAILED, CONNACK_* ...), which {@link #why} then reports; PINGREQ after idle time.
     */
    abstract static class ClientHandler<T> extends SimpleChannelInboundHandler<MqttMessage> {
        final CompletableFuture<T> done;
        private volatile CloudException why;

        ClientHandler(CompletableFuture<T> done) {
            this.done = done;
        }

        /** Keeps {@code e} as the reason the connection ends, fails {@code done} with it, and closes. */
        final void fail(ChannelHandlerContext ctx, CloudException e) {
            why = e;
            done.completeExceptionally(e);
            ctx.close();
        }

        /** Why the connection ended: the reason given to {@link #fail}, else CLOSED with {@code closedBy}. */
        final CloudException why(String closedBy) {
            CloudException w = why;
            return w != null ? w : CloudException.transientFailure("CLOSED", closedBy + " closed the connection");
        }

        /** A well-formed packet from the server. */
        abstract void read(ChannelHandlerContext ctx, MqttMessage m);

        @Override
        protected final void channelRead0(ChannelHandlerContext ctx, MqttMessage m) {
            if (m.decoderResult().isFailure()) {
                fail(ctx, CloudException.transientFailure("BAD_RESPONSE", "undecodable MQTT packet: " + m.decoderResult().cause()));
                return;
            }
            read(ctx, m);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.writeAndFlush(simple(MqttMessageType.PINGREQ));
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ctx, CloudException.of(cause));
        }
    }

    /** CONNECT, MQTT 3.1.1, no password (the certificate authenticates). */
    static MqttMessage connect(String clientId, String username, boolean cleanSession, int keepAliveSeconds) {
        return MqttMessageBuilders.connect().clientId(clientId).protocolVersion(MqttVersion.MQTT_3_1_1)
                .cleanSession(cleanSession).keepAlive(keepAliveSeconds).username(username).build();
    }

    static MqttPublishMessage publish(String topic, MqttQoS qos, int packetId, byte[] body) {
        return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, qos, false, 0),
                new MqttPublishVariableHeader(topic, qos == MqttQoS.AT_MOST_ONCE ? -1 : packetId), Unpooled.wrappedBuffer(body));
    }

    /** The PUBACK a QoS 1 publish from the server needs, or null for QoS 0. */
    static MqttPubAckMessage pubAckFor(MqttPublishMessage p) {
        if (p.fixedHeader().qosLevel() != MqttQoS.AT_LEAST_ONCE) {
            return null;
        }
        return new MqttPubAckMessage(new MqttFixedHeader(MqttMessageType.PUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(p.variableHeader().packetId()));
    }

    /** Sends {@code disconnect} and closes the channel; completes when closed (at once when it already was). */
    static CompletableFuture<Void> disconnect(Channel channel, MqttMessage disconnect) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (!channel.isActive()) {
            f.complete(null);
            return f;
        }
        channel.writeAndFlush(disconnect).addListener(x -> channel.close().addListener(y -> f.complete(null)));
        return f;
    }

    static MqttMessage simple(MqttMessageType type) {
        return new MqttMessage(new MqttFixedHeader(type, false, MqttQoS.AT_MOST_ONCE, false, 0));
    }

    /** The reason code of a refused CONNACK. */
    static String connackCode(MqttConnectReturnCode rc) {
        return switch (rc) {
            case CONNECTION_REFUSED_NOT_AUTHORIZED -> "CONNACK_NOT_AUTHORIZED";
            case CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD -> "CONNACK_BAD_CREDENTIALS";
            case CONNECTION_REFUSED_IDENTIFIER_REJECTED -> "CONNACK_IDENTIFIER_REJECTED";
            case CONNECTION_REFUSED_SERVER_UNAVAILABLE -> "CONNACK_SERVER_UNAVAILABLE";
            default -> "CONNACK_" + rc.name();
        };
    }

    /** A parameter of a topic's {@code ?a=b&c=d} part, or "" when absent. */
    static String param(String topic, String name) {
        int q = topic.indexOf('?');
        if (q < 0) {
            return "";
        }
        for (String kv : topic.substring(q + 1).split("&")) {
            if (kv.startsWith(name + "=")) {
                return kv.substring(name.length() + 1);
            }
        }
        return "";
    }

    /** The 3-digit status of a response topic {@code prefix{status}/...}, or -1. */
    static int status(String topic, String prefix) {
        int end = topic.indexOf('/', prefix.length());
        try {
            return Integer.parseInt(topic.substring(prefix.length(), end < 0 ? topic.length() : end));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return -1;
        }
    }
}
