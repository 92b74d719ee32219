package dev.imprint.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One registration attempt, accepted or refused: a device's history.
 *
 * @param seq assigned by the store (0 before saving), increasing
 * @param status {@code assigned}, {@code failed} or {@code disabled}
 * @param substatus for assigned: see {@link DeviceRecord#substatus()}; else null
 * @param hub the assigned hub, or null
 * @param enrollment the matching enrollment, or null when none matched
 * @param certSerial serial of the certificate presented, or null
 * @param errorCode stable reason code of a refusal, or null
 * @param message human-readable detail, or null
 */
public record RegistrationEvent(
        long seq,
        String registrationId,
        Instant at,
        String status,
        String substatus,
        String hub,
        String enrollment,
        String certSerial,
        String errorCode,
        String message) {

    public RegistrationEvent {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(status, "status");
    }
}
