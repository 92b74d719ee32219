package dev.imprint.mqtt;

import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttMessage;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * Inbound publishes of one connection whose stage has not completed (a QoS 1 telemetry message
 * waiting for its batch's commit, a twin request on the store), or that wait behind one: their
 * PUBACKs go out in PUBLISH order (MQTT 3.1.1 section 4.6), those completed together in one
 * flush. At {@code window} waiting, reading from this client pauses (autoRead) until the head
 * completes. A failed stage ends the connection with its {@link MqttRefusal} reason (else
 * INTERNAL_ERROR), unacknowledged, and nothing after it is acknowledged; unless (MQTT 5, QoS 1)
 * the refusal can be answered with a PUBACK carrying its reason code, sent in its place. Event loop only,
 * except that stages may complete on any thread.
 */
final class InboundAcks {
    /** What becomes of a refused publish. */
    interface Refusals {
        /** The PUBACK carrying the refusal, or null when the refusal must end the connection. */
        MqttMessage ack(int packetId, String reason, String detail);

        /** Ends the connection with a reason code. */
        void close(String reason, String detail);
    }

    private static final AtomicIntegerFieldUpdater<InboundAcks> SCHEDULED =
            AtomicIntegerFieldUpdater.newUpdater(InboundAcks.class, "scheduled");

    /** packetId -1: a QoS 0 publish, nothing to acknowledge, but a failure still ends the connection. */
    private record Pending(int packetId, CompletableFuture<Void> done) {}

    private final Channel ch;
    private final ReadGate gate;
    private final int window;
    private final Refusals closer;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private volatile int scheduled;

    InboundAcks(Channel ch, ReadGate gate, int window, Refusals closer) {
        this.ch = ch;
        this.gate = gate;
        this.window = window;
        this.closer = closer;
    }

    /** True when nothing waits: a publish completed at once may be acknowledged at once. */
    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** Queues a publish behind those waiting; {@code packetId} -1 for QoS 0. */
    void add(int packetId, CompletableFuture<Void> done) {
        pending.add(new Pending(packetId, done));
        if (pending.size() >= window) {
            gate.pause(ReadGate.INBOUND_WINDOW);
        }
        done.whenComplete((v, e) -> schedule());
    }

    /** The connection ended: nothing more is acknowledged. */
    void clear() {
        pending.clear();
    }

    /** From the thread that completed a stage (one commit completes many): one drain task at a time. */
    private void schedule() {
        if (SCHEDULED.compareAndSet(this, 0, 1)) {
            ch.eventLoop().execute(this::send);
        }
    }

    private void send() {
        scheduled = 0;
        PubAckRun acks = new PubAckRun(ch);
        boolean wrote = false;
        while (!pending.isEmpty() && pending.peek().done().isDone()) {
            Pending p = pending.poll();
            if (p.done().isCompletedExceptionally()) {
                // what was acknowledged before it goes out first: PUBACKs stay in PUBLISH order
                wrote |= acks.write();
                Throwable c = p.done().handle((v, e) -> e).join();
                c = c instanceof CompletionException && c.getCause() != null ? c.getCause() : c;
                String reason = c instanceof MqttRefusal r ? r.reason() : "INTERNAL_ERROR";
                MqttMessage refusal = p.packetId() >= 0 ? closer.ack(p.packetId(), reason, String.valueOf(c.getMessage())) : null;
                if (refusal != null) {
                    ch.write(refusal);
                    wrote = true;
                    continue;
                }
                pending.clear();
                if (wrote) {
                    ch.flush();
                }
                closer.close(reason, String.valueOf(c.getMessage()));
                return;
            }
            if (p.packetId() >= 0) {
                acks.add(p.packetId());
            }
        }
        wrote |= acks.write();
        if (wrote) {
            ch.flush();
        }
        if (pending.size() < window) {
            gate.resume(ReadGate.INBOUND_WINDOW);
        }
    }
}
