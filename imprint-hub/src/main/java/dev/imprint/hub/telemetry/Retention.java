package dev.imprint.hub.telemetry;

import dev.imprint.store.TelemetryStore;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's telemetry retention (age and message cap), run by the thread that writes the
 * telemetry between its batches: every minute, and at once again after a step that reached its
 * limit, so a backlog is deleted in bounded steps without holding that thread for all of it.
 */
final class Retention {
    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);
    private static final long EVERY_NANOS = 60_000_000_000L;
    /**
     * Messages one step deletes per rule: a backlog (a minute of a fast stream past the cap) is
     * deleted in steps between batches, so the writer is never held for a whole backlog's
     * delete (half a second for ~700,000 rows of one message each on SQLite) while
     * acknowledgements wait.
     */
    static final int STEP = 10_000;

    private final TelemetryStore store;
    private final Duration maxAge;
    private final long maxMessages;
    /** The first step runs at start: a restart catches up with retention at once. */
    private long last = System.nanoTime() - EVERY_NANOS;
    /** The last step reached its limit: the next follows the next batch instead of a minute later. */
    private boolean behind;

    Retention(TelemetryStore store, Duration maxAge, long maxMessages) {
        this.store = store;
        this.maxAge = maxAge;
        this.maxMessages = maxMessages;
    }

    /** Runs a step when one is due; a failure is logged and waits its minute. */
    void runIfDue() {
        if (!behind && System.nanoTime() - last <= EVERY_NANOS) {
            return;
        }
        last = System.nanoTime();
        behind = false;
        try {
            behind = store.prune(Instant.now().minus(maxAge), maxMessages, STEP) >= STEP;
        } catch (RuntimeException e) {
            LOG.warn("event=telemetry.prune_failed msg=\"{}\"", e.toString());
        }
    }
}
