package dev.imprint.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The device registry: which hub each device is assigned to, whether it is enabled, its
 * initial twin state, and its registration history. The provisioning service writes it; the
 * hubs read it (on every connection, and {@link #changedSince} to end the sessions of devices
 * that were disabled or moved).
 */
public interface DeviceRegistry {

    Optional<DeviceRecord> find(String deviceId);

    /**
     * Creates or replaces the device's record and appends {@code event} (if not null) in the same
     * transaction. The store sets {@code version} (previous + 1, or 1) and keeps the first
     * {@code createdAt}.
     *
     * @return the record as stored
     */
    DeviceRecord save(DeviceRecord device, RegistrationEvent event);

    /** Enables or disables the device (status follows); returns false when unknown. */
    boolean setEnabled(String deviceId, boolean enabled, Instant at);

    /** Deletes the record (its history stays); returns false when unknown. */
    boolean remove(String deviceId);

    /** A page of devices by ID; {@code hub} null = all hubs. */
    List<DeviceRecord> list(String hub, int limit, int offset);

    /** Devices written at or after {@code since}, oldest write first, at most {@code limit}. */
    List<DeviceRecord> changedSince(Instant since, int limit);

    long count();

    /** Appends an attempt that changed no device record (a refusal). */
    void recordEvent(RegistrationEvent event);

    /** Registration history, newest first; {@code registrationId} null = every device. */
    List<RegistrationEvent> history(String registrationId, int limit, int offset);
}
