package dev.imprint.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A DPS registration operation as the device polls it, kept until {@code expiresAt} so that any
 * provisioning node answers the poll. Written by {@link DeviceRegistry#save(DeviceRecord,
 * RegistrationEvent, java.util.function.Function)} or {@link DeviceRegistry#recordEvent(RegistrationEvent,
 * OperationRecord)} in the registration's own transaction.
 *
 * @param status {@code assigned}, {@code failed} or {@code disabled}
 * @param assignedHub the host name told to the device (assigned only), else null
 * @param deviceId assigned only, else null
 * @param substatus assigned only, else null
 * @param errorCode Azure-style integer of a failure, 0 when assigned
 * @param reason stable reason code of a failure, else null
 * @param errorMessage detail of a failure, else null
 * @param payloadJson JSON value returned to the device, or null
 * @param issuedChain base64 DER certificates (operational certificate first), empty without a CSR
 * @param etag assigned: the device record's etag as saved, else null
 * @param expiresAt after this instant the operation is unknown
 */
public record OperationRecord(
        String operationId,
        String registrationId,
        String status,
        String assignedHub,
        String deviceId,
        String substatus,
        int errorCode,
        String reason,
        String errorMessage,
        String payloadJson,
        List<String> issuedChain,
        String etag,
        Instant createdAt,
        Instant updatedAt,
        Instant expiresAt) {

    public OperationRecord {
        Objects.requireNonNull(operationId, "operationId");
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        issuedChain = issuedChain == null ? List.of() : List.copyOf(issuedChain);
        for (String c : issuedChain) {
            // stored one per line: base64 never holds a line break, anything else is a caller's bug
            if (c.indexOf('\n') >= 0 || c.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("issuedChain entries must be single-line base64");
            }
        }
    }
}
