package dev.imprint.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One provisioned device: its certificate was installed on the line and the device proved it
 * holds the key.
 *
 * @param serialHex the installed certificate's serial (lower-case hex; primary key)
 * @param deviceId the identity it carries
 * @param keyFingerprint lower-case hex SHA-256 of the SubjectPublicKeyInfo
 * @param station the station that provisioned it
 * @param batch the station's batch name
 * @param provisionedAt when the station checked the possession proof
 * @param recordedAt when the CA recorded it
 */
public record LedgerEntry(
        String serialHex,
        String deviceId,
        String keyFingerprint,
        String station,
        String batch,
        Instant provisionedAt,
        Instant recordedAt) {
    public LedgerEntry {
        Objects.requireNonNull(serialHex, "serialHex");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(keyFingerprint, "keyFingerprint");
        Objects.requireNonNull(station, "station");
        Objects.requireNonNull(batch, "batch");
        Objects.requireNonNull(provisionedAt, "provisionedAt");
        Objects.requireNonNull(recordedAt, "recordedAt");
    }
}
