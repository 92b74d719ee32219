package dev.imprint.device.cloud;

import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A client connection's QoS 1 publishes waiting for their PUBACK, and the packet IDs it hands
 * out (never 0, never one still waiting). Thread-safe: publishes come from callers' threads, PUBACKs
 * on the event loop.
 */
final class InFlight {
    private final AtomicInteger packetIds = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Void>> unacked = new ConcurrentHashMap<>();

    int nextPacketId() {
        while (true) {
            int id = packetIds.incrementAndGet() & 0xFFFF;
            if (id != 0 && !unacked.containsKey(id)) {
                return id;
            }
        }
    }

    /**
     * Writes the publish {@code message} makes for a new packet ID; completes when {@link #acked}
     * is called with that ID, fails when the write fails or the channel is closed.
     */
    CompletableFuture<Void> publish(Channel channel, IntFunction<MqttPublishMessage> message) {
        int id = nextPacketId();
        CompletableFuture<Void> acked = new CompletableFuture<>();
        unacked.put(id, acked);
        channel.writeAndFlush(message.apply(id)).addListener(f -> {
            if (!f.isSuccess()) {
                unacked.remove(id);
                acked.completeExceptionally(CloudException.of(f.cause()));
            }
        });
        if (!channel.isActive()) {
            unacked.remove(id);
            acked.completeExceptionally(CloudException.transientFailure("CLOSED", "not connected"));
        }
        return acked;
    }

    /** The publish the PUBACK for {@code packetId} answers, taken out; null when none waits. */
    CompletableFuture<Void> acked(int packetId) {
        return unacked.remove(packetId);
    }

    /** Fails every publish still waiting (the connection ended). */
    void failAll(CloudException why) {
        unacked.values().forEach(f -> f.completeExceptionally(why));
        unacked.clear();
    }

    int size() {
        return unacked.size();
    }
}
