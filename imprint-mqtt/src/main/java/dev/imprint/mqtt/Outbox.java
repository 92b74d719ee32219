package dev.imprint.mqtt;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Outbound publishes of one connection, on its event loop: at most {@code window} QoS 1
 * messages unacknowledged, the rest in a bounded queue. QoS 0 is written only while the
 * channel is writable and dropped otherwise, so a slow client costs a bounded amount of memory
 * and never holds up anyone else's event-loop work. Not thread-safe: event loop only.
 */
final class Outbox {
    /** Raised when the queue overflows; the caller disconnects with SLOW_CONSUMER. */
    static final class Overflow extends RuntimeException {
        Overflow(String msg) {
            super(msg, null, false, false);
        }
    }

    private record Pending(String topic, byte[] payload, CompletableFuture<Void> done) {}

    private final Channel ch;
    private final int window;
    private final int queueLimit;
    /** The client's Maximum Packet Size (MQTT 5), 0 for none. */
    private final long maxPacket;
    private final Map<Integer, CompletableFuture<Void>> inflight = new HashMap<>();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private int nextId = 1;

    Outbox(Channel ch, int window, int queueLimit) {
        this(ch, window, queueLimit, 0);
    }

    /** @param maxPacket the client's Maximum Packet Size (MQTT 5), 0 for none */
    Outbox(Channel ch, int window, int queueLimit, long maxPacket) {
        this.maxPacket = maxPacket;
        this.ch = ch;
        this.window = window;
        this.queueLimit = queueLimit;
    }

    CompletableFuture<Void> publish(String topic, int qos, byte[] payload) {
        return publish(topic, qos, payload, true);
    }

    /** @param droppable whether a QoS 0 message may be dropped while the channel is not writable */
    CompletableFuture<Void> publish(String topic, int qos, byte[] payload, boolean droppable) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (maxPacket > 0 && upperBound(topic, payload) > maxPacket) {
            // MQTT 5.0 3.1.2.11.4: never sent. Failed, not "as if sent", so a queued message is not deleted as delivered
            done.completeExceptionally(new IllegalStateException("message larger than the client's Maximum Packet Size " + maxPacket));
            return done;
        }
        if (qos == 0) {
            if (droppable && !ch.isWritable()) {
                done.completeExceptionally(new IllegalStateException("client not keeping up: QoS 0 message dropped"));
                return done;
            }
            ch.writeAndFlush(message(topic, 0, 0, payload)).addListener(f -> {
                if (f.isSuccess()) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(f.cause());
                }
            });
            return done;
        }
        if (queue.size() >= queueLimit) {
            throw new Overflow(queue.size() + " messages queued for a client that does not acknowledge them");
        }
        queue.add(new Pending(topic, payload, done));
        drain();
        return done;
    }

    /** The client acknowledged {@code packetId}; sends what the window now allows. */
    void acked(int packetId) {
        CompletableFuture<Void> f = inflight.remove(packetId);
        if (f != null) {
            f.complete(null);
        }
        drain();
    }

    void drain() {
        boolean wrote = false;
        while (!queue.isEmpty() && inflight.size() < window && ch.isWritable()) {
            Pending p = queue.poll();
            int id = nextPacketId();
            inflight.put(id, p.done);
            ch.write(message(p.topic, 1, id, p.payload));
            wrote = true;
        }
        if (wrote) {
            ch.flush();
        }
    }

    /** Fails everything outstanding: the connection is gone. */
    void fail(Throwable why) {
        inflight.values().forEach(f -> f.completeExceptionally(why));
        inflight.clear();
        queue.forEach(p -> p.done.completeExceptionally(why));
        queue.clear();
    }

    private int nextPacketId() {
        for (int i = 0; i < 65535; i++) {
            int id = nextId;
            nextId = nextId == 65535 ? 1 : nextId + 1;
            if (!inflight.containsKey(id)) {
                return id;
            }
        }
        throw new Overflow("no free packet identifier");
    }

    /** Fixed header (at most 5), topic, packet ID, properties length (we send none), payload. */
    private static long upperBound(String topic, byte[] payload) {
        return 5L + 2 + 3L * topic.length() + 2 + 1 + payload.length;
    }

    static MqttPublishMessage message(String topic, int qos, int packetId, byte[] payload) {
        return new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.valueOf(qos), false, 0),
                new MqttPublishVariableHeader(topic, qos == 0 ? -1 : packetId),
                Unpooled.wrappedBuffer(payload));
    }
}
