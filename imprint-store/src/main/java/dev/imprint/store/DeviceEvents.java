package dev.imprint.store;

import java.util.List;

/**
 * The outbox of device lifecycle events: rows written in the transactions of the changes they
 * describe (DPS assignments, session claims and releases, certificate issuance and revocation,
 * twin reported changes) once {@link #record} is on, read and removed by one relay. Off by
 * default: a store without Kafka writes no events.
 */
public interface DeviceEvents {

    /** Whether this process's writes add events from now on (on when Kafka is configured). */
    void record(boolean on);

    /** The oldest unpublished events, in id order. */
    List<DeviceEvent> pending(int limit);

    /** Removes events that were published. */
    void published(List<Long> ids);
}
