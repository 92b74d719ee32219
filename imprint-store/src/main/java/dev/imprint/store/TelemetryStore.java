package dev.imprint.store;

import java.time.Instant;
import java.util.List;

/** Device telemetry kept by the hubs, with bounded retention. */
public interface TelemetryStore {

    /** Stores a batch in one transaction (the hubs group their writes). */
    void appendAll(List<TelemetryRecord> records);

    /** The newest {@code limit} messages of a device, newest first. */
    List<TelemetryRecord> recent(String deviceId, int limit);

    /**
     * Retention: deletes messages received before {@code olderThan} and all but the newest
     * {@code keepRows} overall. @return the number deleted
     */
    int prune(Instant olderThan, long keepRows);
}
