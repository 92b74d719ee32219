package dev.imprint.bench.hub;

import dev.imprint.kafka.KafkaSettings;
import dev.imprint.kafka.KafkaTail;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Reads the hub's telemetry topic the way {@code imprint telemetry --follow} does
 * ({@link KafkaTail}: a consumer group of its own starting at the end of the topic, offsets
 * committed after each polled batch), on a thread of its own, handing each body to a sink as the
 * poll returns it.
 */
final class KafkaReader implements AutoCloseable {
    private final Thread thread;

    private KafkaReader(Thread thread) {
        this.thread = thread;
    }

    /** @param group a group no one used before: it starts at the end of the topic */
    static KafkaReader start(String bootstrap, String group, Consumer<byte[]> sink) {
        Thread t = new Thread(() -> {
            try {
                KafkaTail.follow(bootstrap, KafkaSettings.DEFAULT_TELEMETRY_TOPIC, group, null, false, line -> {
                    sink.accept(line.value());
                    return true;
                });
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                // close() interrupted the poll: the way a follower ends
            } catch (RuntimeException e) {
                System.out.println("kafka reader " + group + " stopped: " + e);
            }
        }, "e2e-kafka-" + group);
        t.setDaemon(true);
        t.start();
        return new KafkaReader(t);
    }

    /** Interrupts the poll and waits up to 30 s for the consumer to close. */
    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(30));
    }
}
