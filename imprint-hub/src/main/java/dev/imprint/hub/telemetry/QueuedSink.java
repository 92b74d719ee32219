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

/** A sink with a bounded queue drained in batches by its own thread into a {@link TelemetryWriter}. */
public final class QueuedSink implements TelemetrySink {
    private static final Logger LOG = LoggerFactory.getLogger(QueuedSink.class);

    private final BlockingQueue<TelemetryRecord> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final TelemetryWriter writer;
    private final Thread thread;
    private volatile boolean running = true;

    private QueuedSink(String name, TelemetryWriter writer, int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = writer;
        this.thread = new Thread(this::run, "imprint-sink-" + name);
        this.thread.setDaemon(true);
    }

    /** Starts draining into {@code writer} (closed with the sink); {@code name} names the thread. */
    public static QueuedSink start(String name, TelemetryWriter writer, int capacity) {
        QueuedSink s = new QueuedSink(name, writer, capacity);
        s.thread.start();
        return s;
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

    private void run() {
        List<TelemetryRecord> batch = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                TelemetryRecord first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    writer.idle();
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 999);
                // an exception is logged and the batch dropped (counted): devices are never held back by a sink
                writer.write(batch);
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
        writer.close();
    }
}
