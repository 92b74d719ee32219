package dev.imprint.hub.telemetry;

import dev.imprint.store.TelemetryRecord;
import dev.imprint.store.TelemetryStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Telemetry from the event loops to the store and the sinks. {@link #offer} never blocks: a
 * bounded queue takes the message, one writer thread stores batches (one transaction each, so
 * one fsync per batch on SQLite) and hands them to the sinks; when the store falls behind and
 * the queue is full the message is dropped and counted ({@code imprint.hub.telemetry.dropped}).
 * Retention (age and row cap) runs every minute.
 */
public final class TelemetryPipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryPipeline.class);

    private final TelemetryStore store;
    private final List<TelemetrySink> sinks;
    private final Duration maxAge;
    private final long maxRows;
    private final BlockingQueue<TelemetryRecord> queue;
    private final Counter accepted;
    private final Counter dropped;
    private final Thread writer;
    private volatile boolean running = true;
    private long lastPrune = System.nanoTime();

    public TelemetryPipeline(String hub, TelemetryStore store, List<TelemetrySink> sinks, Duration maxAge, long maxRows,
            int capacity, MeterRegistry meters) {
        this.store = store;
        this.sinks = List.copyOf(sinks);
        this.maxAge = maxAge;
        this.maxRows = maxRows;
        this.queue = new ArrayBlockingQueue<>(capacity);
        MeterRegistry m = meters == null ? new SimpleMeterRegistry() : meters;
        this.accepted = m.counter("imprint.hub.telemetry.accepted", "hub", hub);
        this.dropped = m.counter("imprint.hub.telemetry.dropped", "hub", hub);
        this.writer = new Thread(this::run, "imprint-" + hub + "-telemetry");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** @return false when dropped because the store is not keeping up */
    public boolean offer(TelemetryRecord r) {
        if (queue.offer(r)) {
            accepted.increment();
            return true;
        }
        dropped.increment();
        return false;
    }

    private void run() {
        List<TelemetryRecord> batch = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                TelemetryRecord first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, 1999);
                    store.appendAll(batch);
                    for (TelemetryRecord r : batch) {
                        sinks.forEach(s -> s.offer(r));
                    }
                }
                if (System.nanoTime() - lastPrune > 60_000_000_000L) {
                    lastPrune = System.nanoTime();
                    store.prune(Instant.now().minus(maxAge), maxRows);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                dropped.increment(batch.size());
                LOG.warn("event=telemetry.store_failed dropped={} msg=\"{}\"", batch.size(), e.toString());
            } finally {
                batch.clear();
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
        sinks.forEach(TelemetrySink::close);
    }
}
