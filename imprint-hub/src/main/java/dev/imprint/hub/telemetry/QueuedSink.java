package dev.imprint.hub.telemetry;

import dev.imprint.store.TelemetryRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A sink with a bounded queue drained in batches by its own thread; subclasses write a batch. */
abstract class QueuedSink implements TelemetrySink {
    private static final Logger LOG = LoggerFactory.getLogger(QueuedSink.class);

    private final BlockingQueue<TelemetryRecord> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    QueuedSink(String name, int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::run, "imprint-sink-" + name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    @Override
    public boolean offer(TelemetryRecord record) {
        if (queue.offer(record)) {
            return true;
        }
        dropped.incrementAndGet();
        return false;
    }

    @Override
    public long dropped() {
        return dropped.get();
    }

    /** Writes one batch; an exception is logged and the batch dropped (counted). */
    abstract void write(List<TelemetryRecord> batch) throws Exception;

    private void run() {
        List<TelemetryRecord> batch = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                TelemetryRecord first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 999);
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                dropped.addAndGet(batch.size());
                LOG.warn("event=sink.failed sink={} dropped={} msg=\"{}\"", thread.getName(), batch.size(), e.toString());
            } finally {
                batch.clear();
            }
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
