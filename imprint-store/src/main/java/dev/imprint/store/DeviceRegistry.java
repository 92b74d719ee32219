package dev.imprint.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

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
    default DeviceRecord save(DeviceRecord device, RegistrationEvent event) {
        return save(device, event, null);
    }

    /**
     * {@link #save(DeviceRecord, RegistrationEvent)}, plus the operation the device will poll, in
     * the same transaction: either the device, its history row and its operation are all stored,
     * or none is.
     *
     * @param operation given the record as stored (its etag, substatus and times), the operation
     *     to store; null stores none. Called inside the transaction: keep it a pure mapping.
     * @throws StoreException when the write fails (an operation ID already stored included)
     */
    DeviceRecord save(DeviceRecord device, RegistrationEvent event, Function<DeviceRecord, OperationRecord> operation);

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
    default void recordEvent(RegistrationEvent event) {
        recordEvent(event, null);
    }

    /** Appends a refusal and, if not null, the operation the device will poll, in one transaction. */
    void recordEvent(RegistrationEvent event, OperationRecord operation);

    /**
     * The stored operation {@code operationId} if it has not expired at {@code now} (whichever
     * registration it belongs to: the caller checks that).
     */
    Optional<OperationRecord> findOperation(String operationId, Instant now);

    /**
     * Deletes at most {@code limit} operations that expired before {@code now}; returns how many.
     * Safe to run on several nodes at once.
     */
    int removeExpiredOperations(Instant now, int limit);

    /** Registration history, newest first; {@code registrationId} null = every device. */
    List<RegistrationEvent> history(String registrationId, int limit, int offset);

    /** Up to {@code limit} devices whose ID starts with {@code idPrefix}, in ID order (the console's search). */
    List<DeviceRecord> search(String idPrefix, int limit);

    /**
     * Registration attempts recorded after {@code afterSeq} (the console's overview samples them):
     * the newest seq seen ({@code afterSeq} when none) and the count per outcome, {@code assigned}
     * or the refusal's error code ({@code disabled} or {@code failed} when it has none).
     */
    Tally tallyAfter(long afterSeq);

    record Tally(long lastSeq, java.util.Map<String, Long> byOutcome) {}
}
