package dev.imprint.store;

import java.time.Instant;
import java.util.List;

/** Device telemetry kept by the hubs, with bounded retention. */
public interface TelemetryStore {

    /**
     * Stores a batch in one transaction (the hubs group their writes). Each device's messages keep
     * their order (in {@code seq}); across devices, a batch's messages may be numbered in another
     * order.
     */
    void appendAll(List<TelemetryRecord> records);

    /** The newest {@code limit} messages of a device, newest first. */
    List<TelemetryRecord> recent(String deviceId, int limit);

    /**
     * Retention: deletes messages received before {@code olderThan} and all but the newest
     * {@code keepRows} overall. Both rules go in arrival order from the oldest: the age rule
     * stops at the first message not old enough (an older one arrived after it, e.g. after a
     * step back of the clock, waits for it). A store that keeps messages in runs (one device's
     * messages of one batch together) deletes whole runs: a run is deleted once all of it is old,
     * and kept while one of its messages is among the newest {@code keepRows}.
     * @return the number of messages deleted
     */
    default int prune(Instant olderThan, long keepRows) {
        return prune(olderThan, keepRows, Integer.MAX_VALUE);
    }

    /**
     * Retention in steps: as {@link #prune(Instant, long)}, oldest first, but each rule stops
     * once it reached {@code limit} messages (the last run it takes may go past it), so one call
     * holds the writer for a bounded time. @return the number of messages deleted (a rule that
     * reached {@code limit} may have more to delete)
     */
    int prune(Instant olderThan, long keepRows, int limit);
}
