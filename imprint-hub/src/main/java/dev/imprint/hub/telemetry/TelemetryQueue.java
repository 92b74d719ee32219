package dev.imprint.hub.telemetry;

import dev.imprint.store.TelemetryRecord;
import io.netty.util.internal.PlatformDependent;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The telemetry pipeline's queue: the event loops put, one writer thread takes, bounded by a
 * {@link QueueBudget} (places for every message, bytes for fire-and-forget ones). A lock-free
 * multi-producer single-consumer queue that allocates in chunks as it fills: no array of all
 * the budget's places at start (about 3.5 MB per hub at the default) and no lock shared by the
 * event loops and the writer. A put wakes the writer only when it sleeps in {@link #awaitAny}.
 */
final class TelemetryQueue {
    /** A queued durable message; a fire-and-forget one is queued as its record alone (no object more per message). */
    private record Durable(TelemetryRecord record, CompletableFuture<Void> stored) {}

    /** {@link TelemetryRecord}s and {@link Durable}s. */
    private final Queue<Object> queue;
    private final int places;
    private final long fireAndForgetBudget;
    /** Messages in the queue, of both kinds: bounded by {@code places}, as a fixed array's length would. */
    private final AtomicInteger queued = new AtomicInteger();
    /** Bytes ({@link QueueBudget#cost}) of the fire-and-forget messages in the queue. */
    private final AtomicLong fireAndForgetQueued = new AtomicLong();
    private final Thread writer;
    /** The writer sleeps (or is about to) in {@link #awaitAny}: a put must wake it. */
    private volatile boolean sleeping;

    TelemetryQueue(QueueBudget budget, Thread writer) {
        this.places = budget.places();
        this.fireAndForgetBudget = budget.fireAndForgetBytes();
        this.queue = PlatformDependent.newMpscQueue(places);
        this.writer = writer;
    }

    /** Fire and forget: false when its byte budget or the places are taken. */
    boolean offer(TelemetryRecord r) {
        long cost = QueueBudget.cost(r);
        // atomic adds only, released per batch by the writer
        if (fireAndForgetQueued.addAndGet(cost) <= fireAndForgetBudget) {
            if (put(r)) {
                return true;
            }
        }
        fireAndForgetQueued.addAndGet(-cost);
        return false;
    }

    /** Durable: false when every place is taken. */
    boolean offer(TelemetryRecord r, CompletableFuture<Void> stored) {
        return put(new Durable(r, stored));
    }

    private boolean put(Object e) {
        if (queued.incrementAndGet() > places || !queue.offer(e)) {
            queued.decrementAndGet();
            return false;
        }
        if (sleeping) {
            LockSupport.unpark(writer);
        }
        return true;
    }

    /**
     * Writer only: waits up to {@code timeoutMillis} for a message (less when interrupted or
     * woken spuriously); true when the queue holds one.
     */
    boolean awaitAny(long timeoutMillis) {
        if (!queue.isEmpty()) {
            return true;
        }
        sleeping = true;
        // a put after this check sees sleeping and unparks; one before it is seen here
        if (queue.isEmpty()) {
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
        }
        sleeping = false;
        return !queue.isEmpty();
    }

    /**
     * Writer only (or after it stopped): moves up to {@code max} messages into {@code records},
     * each one's durable future (null for fire-and-forget) into {@code futures}, and frees their
     * places and bytes (the batch holds them now, bounded by its own size). @return how many
     */
    int drainTo(List<TelemetryRecord> records, List<CompletableFuture<Void>> futures, int max) {
        int n = 0;
        long bytes = 0;
        Object e;
        while (n < max && (e = queue.poll()) != null) {
            if (e instanceof Durable d) {
                records.add(d.record());
                futures.add(d.stored());
            } else {
                TelemetryRecord r = (TelemetryRecord) e;
                records.add(r);
                futures.add(null);
                bytes += QueueBudget.cost(r);
            }
            n++;
        }
        if (n > 0) {
            queued.addAndGet(-n);
        }
        if (bytes > 0) {
            fireAndForgetQueued.addAndGet(-bytes);
        }
        return n;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }
}
