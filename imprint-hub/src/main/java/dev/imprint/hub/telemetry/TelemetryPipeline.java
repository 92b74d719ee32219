package dev.imprint.hub.telemetry;

import dev.imprint.store.TelemetryRecord;
import dev.imprint.store.TelemetryStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Telemetry from the event loops to the store and the sinks, with group commit. Neither
 * {@link #offer} nor {@link #store} blocks: a bounded queue takes the message, one writer thread
 * stores batches (one transaction each, so one fsync per batch on SQLite), then completes the
 * futures of the batch's {@link #store durable} messages, then hands the batch to the sinks
 * (best effort: a sink never delays an acknowledgement). {@link Retention} (age and message cap)
 * runs every minute. What the queue holds is bounded by a {@link QueueBudget}: places kept for durable
 * messages, and a budget in bytes for fire-and-forget ones. Messages the store refused or that
 * found no room are counted ({@code imprint.hub.telemetry.dropped}).
 *
 * <p>When one of the sinks is a {@link TelemetryLog} (Kafka), it is the durable step instead:
 * the writer thread appends each message to it and a durable message's future follows the log's
 * acknowledgement; the store then keeps a recent window of {@code maxRows} (0 = nothing),
 * written best effort by a thread of its own (with its retention), so that a commit of the
 * window (an fsync on SQLite) never delays the log's appends.
 */
public final class TelemetryPipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryPipeline.class);
    /**
     * Rows per transaction at most: large enough that a QoS 0 backlog is stored in few commits
     * (one fsync each), small enough that the batch list stays a few hundred kilobytes.
     */
    private static final int MAX_BATCH = 4096;
    /** Messages waiting for the window's thread at most (what of a batch the window keeps); beyond, dropped from the window only. */
    private static final int WINDOW_QUEUE = 16_384;
    /**
     * A batch of fire-and-forget messages smaller than this waits {@link #LINGER_NANOS} for more
     * before it is written: a QoS 0 stream is then stored in a few large transactions instead
     * of one per wake-up of this thread, and the event loops stop waking it for each message.
     * Nobody waits for those messages; a batch holding a durable one is written at once (one
     * arriving during the linger waits at most its 2 ms).
     */
    private static final int LINGER_BELOW = 256;
    private static final long LINGER_NANOS = 2_000_000L;

    private final TelemetryStore store;
    private final List<TelemetrySink> sinks;
    private final TelemetryLog log;
    /** What of a batch the store's window keeps when the log is the durable step. */
    private final NewestPerDevice window = new NewestPerDevice(NewestPerDevice.DEFAULT);
    /** The window's own thread, when the log is the durable step and a window is kept; else null. */
    private final QueuedSink windowWriter;
    /** The store's retention, on this writer thread when there is no window thread; else null. */
    private final Retention retention;
    private final TelemetryQueue queue;
    private final Counter accepted;
    private final Counter dropped;
    private final Thread writer;
    private volatile boolean running = true;

    /**
     * Why a message given to {@link #store} was not stored: {@code STORE_UNAVAILABLE} (the write
     * failed), {@code STORE_BEHIND} (the queue was full), {@code SERVER_STOPPING} (closed). A
     * value, no stack trace.
     */
    public static final class NotStored extends RuntimeException {
        private final String reason;

        public NotStored(String reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    public TelemetryPipeline(String hub, TelemetryStore store, List<TelemetrySink> sinks, Duration maxAge, long maxRows,
            QueueBudget budget, MeterRegistry meters) {
        this.store = store;
        this.log = sinks.stream().filter(TelemetryLog.class::isInstance).map(TelemetryLog.class::cast).findFirst().orElse(null);
        this.sinks = sinks.stream().filter(s -> s != log).toList();
        if (log != null && maxRows > 0) {
            this.windowWriter = QueuedSink.start(hub + "-window", new WindowWriter(store, new Retention(store, maxAge, maxRows)), WINDOW_QUEUE);
            this.retention = null;
        } else {
            this.windowWriter = null;
            this.retention = new Retention(store, maxAge, maxRows);
        }
        MeterRegistry m = meters == null ? new SimpleMeterRegistry() : meters;
        this.accepted = m.counter("imprint.hub.telemetry.accepted", "hub", hub);
        this.dropped = m.counter("imprint.hub.telemetry.dropped", "hub", hub);
        this.writer = new Thread(this::run, "imprint-" + hub + "-telemetry");
        this.writer.setDaemon(true);
        // QoS 0 is held to its byte budget, which leaves the durable places free: a QoS 0 flood
        // never turns into QoS 1 refusals
        this.queue = new TelemetryQueue(budget, writer);
        this.writer.start();
    }

    /**
     * Fire and forget (QoS 0): stored with the next batch unless the store fails.
     *
     * @return false when dropped because the store is not keeping up (the fire-and-forget budget
     *     is queued)
     */
    public boolean offer(TelemetryRecord r) {
        if (queue.offer(r)) {
            return true; // counted as accepted by the writer, per batch: no shared counter on the event loops
        }
        dropped.increment();
        return false;
    }

    /**
     * Durable (QoS 1): the future completes, on the writer thread, once the batch holding the
     * message is committed; it fails with {@link NotStored} when the store write fails, the
     * queue is full or the pipeline is closed. Callers keep their own order: batches commit in
     * queue order.
     */
    public CompletableFuture<Void> store(TelemetryRecord r) {
        CompletableFuture<Void> stored = new CompletableFuture<>();
        if (!running) {
            stored.completeExceptionally(new NotStored("SERVER_STOPPING", "the telemetry pipeline is closed"));
        } else if (queue.offer(r, stored)) {
            // counted as accepted by the writer, per batch
        } else {
            dropped.increment();
            stored.completeExceptionally(new NotStored("STORE_BEHIND", "the telemetry queue is full (the store is not keeping up)"));
        }
        return stored;
    }

    private void run() {
        // a batch: the messages, and beside each its durable future (null for fire-and-forget)
        List<TelemetryRecord> records = new ArrayList<>();
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                if (queue.awaitAny(100)) {
                    queue.drainTo(records, futures, MAX_BATCH);
                    if (records.size() < LINGER_BELOW && running && fireAndForgetOnly(futures)) {
                        LockSupport.parkNanos(LINGER_NANOS);
                        queue.drainTo(records, futures, MAX_BATCH - records.size());
                    }
                    accepted.increment(records.size());
                    commit(records, futures);
                }
                if (Thread.interrupted()) {
                    break;
                }
                if (retention != null) {
                    retention.runIfDue();
                }
            } catch (RuntimeException e) {
                LOG.warn("event=telemetry.writer_failed msg=\"{}\"", e.toString());
            } finally {
                records.clear();
                futures.clear();
            }
        }
        failQueued();
    }

    private static boolean fireAndForgetOnly(List<CompletableFuture<Void>> futures) {
        for (CompletableFuture<Void> f : futures) {
            if (f != null) {
                return false;
            }
        }
        return true;
    }

    /** Interrupted, or a {@link #store} that raced {@link #close}: nobody will store what is left. */
    private void failQueued() {
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        queue.drainTo(new ArrayList<>(), futures, Integer.MAX_VALUE);
        fail(futures, new NotStored("SERVER_STOPPING", "the telemetry pipeline stopped before storing this message"));
    }

    /** One transaction for the batch; then the acknowledgements; then the sinks. */
    private void commit(List<TelemetryRecord> records, List<CompletableFuture<Void>> futures) {
        if (log != null) {
            appendToLog(records, futures);
            return;
        }
        try {
            store.appendAll(records);
        } catch (RuntimeException x) {
            dropped.increment(records.size());
            LOG.warn("event=telemetry.store_failed reason=STORE_UNAVAILABLE dropped={} msg=\"{}\"", records.size(), x.toString());
            fail(futures, new NotStored("STORE_UNAVAILABLE", "storing telemetry failed: " + x.getMessage()));
            return;
        }
        for (CompletableFuture<Void> f : futures) {
            if (f != null) {
                f.complete(null);
            }
        }
        toSinks(records);
    }

    /** The log is the durable step; the store's window (the newest of each device) and the sinks are best effort. */
    private void appendToLog(List<TelemetryRecord> records, List<CompletableFuture<Void>> futures) {
        for (int i = 0; i < records.size(); i++) {
            log.append(records.get(i), futures.get(i));
        }
        if (windowWriter != null) {
            for (TelemetryRecord r : window.of(records)) {
                windowWriter.offer(r);
            }
        }
        toSinks(records);
    }

    /** The window's thread: stores what the writer kept of each batch; runs the retention between writes and when idle. */
    private static final class WindowWriter implements TelemetryWriter {
        private final TelemetryStore store;
        private final Retention retention;

        WindowWriter(TelemetryStore store, Retention retention) {
            this.store = store;
            this.retention = retention;
        }

        @Override
        public void write(List<TelemetryRecord> batch) {
            try {
                store.appendAll(batch);
            } catch (RuntimeException x) {
                LOG.warn("event=telemetry.window_failed reason=STORE_UNAVAILABLE messages={} msg=\"{}\"", batch.size(), x.toString());
            }
            retention.runIfDue();
        }

        @Override
        public void idle() {
            retention.runIfDue();
        }
    }

    /** Sink by sink: no iterator per message over the (often empty) list of sinks. */
    private void toSinks(List<TelemetryRecord> records) {
        for (TelemetrySink s : sinks) {
            for (TelemetryRecord r : records) {
                s.offer(r);
            }
        }
    }

    private static void fail(List<CompletableFuture<Void>> futures, NotStored why) {
        for (CompletableFuture<Void> f : futures) {
            if (f != null) {
                f.completeExceptionally(why);
            }
        }
    }

    /** Stores what is queued, then stops; closes the sinks. */
    @Override
    public void close() {
        running = false;
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!writer.isAlive()) {
            failQueued();
        }
        sinks.forEach(TelemetrySink::close);
        if (windowWriter != null) {
            windowWriter.close();
        }
        if (log != null) {
            log.close();
        }
    }
}
