package dev.imprint.store;

import java.time.Instant;
import java.util.List;

/** Device telemetry kept by the hubs, with bounded retention. */
public interface TelemetryStore {

    /**
     * Stores a batch in one transaction (the hubs group their writes). Each device's messages keep
     * their order (in {@code seq}); across devices, a batch's rows may be stored in another order.
     */
    void appendAll(List<TelemetryRecord> records);

    /** The newest {@code limit} messages of a device, newest first. */
    List<TelemetryRecord> recent(String deviceId, int limit);

    /**
     * Retention: deletes messages received before {@code olderThan} and all but the newest
     * {@code keepRows} overall. Both rules go in arrival order from the oldest: the age rule
     * stops at the first message not old enough (an older one arrived after it, e.g. after a
     * step back of the clock, waits for it). @return the number deleted
     */
    default int prune(Instant olderThan, long keepRows) {
        return prune(olderThan, keepRows, Integer.MAX_VALUE);
    }

    /**
     * Retention in steps: as {@link #prune(Instant, long)}, oldest first, but at most {@code limit}
     * rows per rule, so one call holds the writer for a bounded time. @return the number deleted
     * (up to twice {@code limit}; a rule that reached {@code limit} may have more to delete)
     */
    int prune(Instant olderThan, long keepRows, int limit);
}
