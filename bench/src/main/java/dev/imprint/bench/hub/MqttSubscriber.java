package dev.imprint.bench.hub;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One MQTT subscriber consuming every message of a topic filter, the fair counterpart of a Kafka
 * consumer beside a broker: the bench's own client (same TLS and codec as the publishers),
 * subscribed at the run's QoS, acknowledging each QoS 1 delivery (PUBACKs flushed once per read).
 * It counts what it received and when the last one came; with a sink, it hands each body over
 * as it arrives (the latency runs).
 */
final class MqttSubscriber implements AutoCloseable {
    private final Consumer<byte[]> sink;
    private volatile long received;
    private volatile long lastNanos;
    private Channel channel;

    private MqttSubscriber(Consumer<byte[]> sink) {
        this.sink = sink;
    }

    /**
     * Connects, subscribes and returns at the SUBACK (30 s at most).
     *
     * @param sink takes each body as it arrives; null to count only
     * @throws IllegalStateException when the server refused the connection or the subscription
     */
    static MqttSubscriber open(MqttLoadClient client, InetSocketAddress server, String clientId, SslContext ssl, String filter, int qos,
            Consumer<byte[]> sink) throws Exception {
        MqttSubscriber s = new MqttSubscriber(sink);
        CompletableFuture<Channel> subscribed = new CompletableFuture<>();
        client.open(server, ssl, subscribed, s.new Handler(client.connectMessage(clientId), filter, qos, subscribed));
        s.channel = subscribed.get(30, TimeUnit.SECONDS);
        return s;
    }

    long received() {
        return received;
    }

    /** {@link System#nanoTime} at the last message; 0 before the first. */
    long lastNanos() {
        return lastNanos;
    }

    /**
     * Waits until {@code n} messages arrived, or none for {@code idleMillis}, or {@code maxMillis} passed
     * (a bench's progress poll: the count is written by the event loop).
     */
    boolean await(long n, long idleMillis, long maxMillis) throws InterruptedException {
        long end = System.nanoTime() + maxMillis * 1_000_000;
        long last = -1;
        long idleEnd = 0;
        while (received < n) {
            long now = System.nanoTime();
            if (received != last) {
                last = received;
                idleEnd = now + idleMillis * 1_000_000;
            }
            if (now > end || now > idleEnd) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    @Override
    public void close() {
        MqttLoadClient.disconnect(channel);
    }

    private final class Handler extends MqttLoadClient.Session {
        private final String filter;
        private final int qos;

        Handler(MqttMessage connect, String filter, int qos, CompletableFuture<Channel> subscribed) {
            super(connect, subscribed);
            this.filter = filter;
            this.qos = qos;
        }

        @Override
        void accepted(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.valueOf(qos), filter).build());
        }

        @Override
        void read(ChannelHandlerContext ctx, MqttMessage m) {
            if (m instanceof MqttPublishMessage p) {
                lastNanos = System.nanoTime();
                received++; // one event loop writes it
                if (sink != null) {
                    sink.accept(ByteBufUtil.getBytes(p.content()));
                }
                if (p.fixedHeader().qosLevel() == MqttQoS.AT_LEAST_ONCE) {
                    ctx.write(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBACK, false, MqttQoS.AT_MOST_ONCE, false, 2),
                            MqttMessageIdVariableHeader.from(p.variableHeader().packetId())));
                }
            } else if (m instanceof MqttSubAckMessage ack) {
                int granted = ack.payload().grantedQoSLevels().get(0);
                if (granted == qos) {
                    ready.complete(ctx.channel());
                } else {
                    ready.completeExceptionally(new IllegalStateException("SUBACK granted " + granted + ", asked " + qos));
                    ctx.close();
                }
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }
}
