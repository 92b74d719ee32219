package dev.imprint.dps.registration;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * A registration operation as the device polls it: the Azure {@code RegistrationOperationStatus}.
 *
 * @param status {@code assigning}, {@code assigned}, {@code failed} or {@code disabled}
 * @param hub the assigned hub's host name (assigned only)
 * @param substatus assigned only
 * @param errorCode Azure-style integer (failed / disabled), 0 otherwise
 * @param reason stable reason code (failed / disabled), null otherwise
 * @param payload JSON object returned to the device, or null
 * @param issuedChain base64 DER certificates (operational certificate first) when a CSR was sent, else empty
 */
public record Operation(
        String operationId,
        String registrationId,
        String status,
        String hub,
        String deviceId,
        String substatus,
        int errorCode,
        String reason,
        String errorMessage,
        JsonNode payload,
        List<String> issuedChain,
        String etag,
        Instant createdAt,
        Instant updatedAt) {

    public Operation {
        issuedChain = issuedChain == null ? List.of() : List.copyOf(issuedChain);
    }

    public boolean assigned() {
        return "assigned".equals(status);
    }
}
