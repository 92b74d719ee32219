package dev.imprint.store;

import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

/** Device presence as recorded by the hubs. */
public interface PresenceStore {

    void connected(String deviceId, String hub, Instant at);

    /** Records the end of a session; ignored when the device has since connected to another hub. */
    void disconnected(String deviceId, String hub, Instant at);

    /** Updates last-seen times of connected devices in one transaction. */
    void seen(Collection<String> deviceIds, Instant at);

    /** Marks every device of this hub disconnected (the hub starts or stops). */
    void hubReset(String hub, Instant at);

    Optional<PresenceRecord> find(String deviceId);
}
