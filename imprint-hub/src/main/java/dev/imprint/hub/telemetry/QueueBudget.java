package dev.imprint.hub.telemetry;

import dev.imprint.store.TelemetryRecord;

/**
 * What the telemetry queue between the event loops and the store's writer may hold.
 *
 * <p>Durable (QoS 1) messages are counted: their number is bounded anyway by each connection's
 * in-flight window, and {@code durable} places are always left for them. Fire-and-forget (QoS 0)
 * messages are counted in bytes of heap ({@link #cost}): a flood of small messages then queues
 * many while the writer catches up (a QoS 0 stream is kept, not dropped, at the rates one writer
 * can store on average), a flood of large ones few, and memory stays bounded either way. Past
 * the budget a QoS 0 message is dropped and counted: the store truly cannot keep up.
 *
 * <p>The queue is one FIFO, so the store keeps each device's order: a QoS 1 message behind a QoS 0
 * backlog waits for that backlog's commit (at most the budget's worth of rows, about a second of
 * the writer's work at the default), but is never refused because of it.
 *
 * @param durable places kept for durable messages
 * @param fireAndForgetBytes heap the queued fire-and-forget messages may hold together
 */
public record QueueBudget(int durable, long fireAndForgetBytes) {

    /**
     * Heap of a queued message besides its body and properties: the record (40 bytes), its
     * place in the queue (8; a durable one also an entry, 24), its receive time (24, shared by a
     * stream's messages of one millisecond) and the body array's header (16): about what even an
     * empty message costs.
     */
    static final int MESSAGE_OVERHEAD = 96;
    /** The default fire-and-forget budget: about 300,000 messages of 100 bytes. */
    static final long DEFAULT_FIRE_AND_FORGET_BYTES = 64L << 20;
    /** A hub never spends more than this share of its heap on queued QoS 0 messages. */
    static final int HEAP_SHARE_DIVISOR = 8;

    public QueueBudget {
        if (durable < 1 || fireAndForgetBytes < 0) {
            throw new IllegalArgumentException("durable >= 1 and fireAndForgetBytes >= 0 expected: " + durable + ", " + fireAndForgetBytes);
        }
    }

    /** 100,000 durable places and 64 MiB of QoS 0, at most an eighth of this JVM's heap. */
    public static QueueBudget defaults() {
        return new QueueBudget(100_000, Math.min(DEFAULT_FIRE_AND_FORGET_BYTES, Runtime.getRuntime().maxMemory() / HEAP_SHARE_DIVISOR));
    }

    /** What a queued message is counted as. */
    static long cost(TelemetryRecord r) {
        return MESSAGE_OVERHEAD + r.body().length + r.properties().length();
    }

    /** Queue places: the durable ones plus as many fire-and-forget messages as the budget could hold. */
    int places() {
        return (int) Math.min(Integer.MAX_VALUE - 8, durable + fireAndForgetBytes / MESSAGE_OVERHEAD);
    }
}
