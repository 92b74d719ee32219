package dev.imprint.dps.registration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.store.DeviceRegistry;
import dev.imprint.store.OperationRecord;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The operations devices poll, kept in the store for {@code ttl}: the {@link Registrar} writes
 * each one in its registration's own transaction (with the device record and the history row),
 * so a poll that reaches any provisioning node on the same store answers what the node that
 * took the registration decided, even after that node is gone. No in-process cache: a poll is
 * one read by primary key, and correctness must not depend on which node is asked.
 */
public final class Operations {
    /** Rows deleted per statement when sweeping: short transactions, the registrations go on meanwhile. */
    static final int SWEEP_BATCH = 5_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DeviceRegistry registry;
    private final Clock clock;
    private final Duration ttl;

    public Operations(DeviceRegistry registry, Clock clock, Duration ttl) {
        this.registry = registry;
        this.clock = clock;
        this.ttl = ttl;
    }

    /** The row to store for {@code op}: pollable from now for the TTL. */
    OperationRecord record(Operation op) {
        return new OperationRecord(op.operationId(), op.registrationId(), op.status(), op.hub(), op.deviceId(), op.substatus(),
                op.errorCode(), op.reason(), op.errorMessage(), op.payload() == null ? null : op.payload().toString(),
                op.issuedChain(), op.etag(), op.createdAt(), op.updatedAt(), clock.instant().plus(ttl));
    }

    /** The operation, if it is stored, not expired, and belongs to {@code registrationId}. */
    public Optional<Operation> find(String operationId, String registrationId) {
        return registry.findOperation(operationId, clock.instant())
                // another device's operation ID answers as an unknown one: IDs tell nothing about other devices
                .filter(r -> r.registrationId().equals(registrationId))
                .map(Operations::operation);
    }

    /** Deletes the expired operations (in batches); returns how many. Safe on several nodes at once. */
    public int sweep() {
        Instant now = clock.instant();
        int total = 0;
        int removed;
        do {
            removed = registry.removeExpiredOperations(now, SWEEP_BATCH);
            total += removed;
        } while (removed == SWEEP_BATCH);
        return total;
    }

    static Operation operation(OperationRecord r) {
        return new Operation(r.operationId(), r.registrationId(), r.status(), r.assignedHub(), r.deviceId(), r.substatus(),
                r.errorCode(), r.reason(), r.errorMessage(), json(r.payloadJson()), r.issuedChain(), r.etag(), r.createdAt(),
                r.updatedAt());
    }

    private static JsonNode json(String text) {
        if (text == null) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("stored operation payload is not JSON", e);
        }
    }
}
