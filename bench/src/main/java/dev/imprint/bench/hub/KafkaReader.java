package dev.imprint.bench.hub;

import dev.imprint.kafka.KafkaSettings;
import dev.imprint.kafka.KafkaTail;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Reads the hub's telemetry topic the way {@code imprint telemetry --follow} does
 * ({@link KafkaTail}: a consumer group of its own starting at the end of the topic, offsets
 * committed after each polled batch), on a thread of its own, handing each body to a sink as the
 * poll returns it. Once closed, the next record ends it (commit, leave the group, close), so
 * close it before the record that should end it is sent; a reader that gets none is interrupted.
 */
final class KafkaReader implements AutoCloseable {
    private static final long STOP_MILLIS = 10_000;

    private final Thread thread;
    private volatile boolean stopped;

    private KafkaReader(String bootstrap, String group, Consumer<byte[]> sink) {
        this.thread = new Thread(() -> {
            try {
                KafkaTail.follow(bootstrap, KafkaSettings.DEFAULT_TELEMETRY_TOPIC, group, null, false, line -> {
                    sink.accept(line.value());
                    return !stopped;
                });
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                // no record came after close(): interrupted in its poll
            } catch (RuntimeException e) {
                System.out.println("kafka reader " + group + " stopped: " + e);
            }
        }, "e2e-kafka-" + group);
        thread.setDaemon(true);
    }

    /** @param group a group no one used before: it starts at the end of the topic */
    static KafkaReader start(String bootstrap, String group, Consumer<byte[]> sink) {
        KafkaReader r = new KafkaReader(bootstrap, group, sink);
        r.thread.start();
        return r;
    }

    /** The next record ends the reader. */
    void stopAtNext() {
        stopped = true;
    }

    /** Waits up to 10 s for the reader to end at a record, then interrupts its poll (and waits up to 30 s more). */
    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(STOP_MILLIS);
        if (thread.isAlive()) {
            thread.interrupt();
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }
}
