package dev.imprint.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A registered device, as the provisioning service assigned it and the hubs read it.
 *
 * @param deviceId the device ID (= DPS registration ID = the certificate's identity)
 * @param hub name of the assigned hub (see {@link HubStore})
 * @param enabled false: the hub refuses the device and ends its session
 * @param enrollment name of the enrollment that admitted it
 * @param tagsJson initial twin tags, a JSON object
 * @param desiredJson initial twin desired properties, a JSON object
 * @param status {@code assigned} or {@code disabled}
 * @param substatus {@code initialAssignment}, {@code deviceDataMigrated}, {@code deviceDataReset} or
 *     {@code reprovisionedToInitialAssignment}
 * @param certSerial lower-case hex serial of the certificate it registered with (null if unknown)
 * @param version +1 on every write, set by the store (0 on a record not yet saved); the etag
 * @param createdAt first registration, kept by the store across updates
 * @param updatedAt last write
 */
public record DeviceRecord(
        String deviceId,
        String hub,
        boolean enabled,
        String enrollment,
        String tagsJson,
        String desiredJson,
        String status,
        String substatus,
        String certSerial,
        long version,
        Instant createdAt,
        Instant updatedAt) {

    public DeviceRecord {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(hub, "hub");
        Objects.requireNonNull(enrollment, "enrollment");
        Objects.requireNonNull(tagsJson, "tagsJson");
        Objects.requireNonNull(desiredJson, "desiredJson");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(substatus, "substatus");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** The version as an HTTP-style etag, e.g. {@code "3"}. */
    public String etag() {
        return "\"" + version + "\"";
    }

    public DeviceRecord withEnabled(boolean on, Instant at) {
        return new DeviceRecord(deviceId, hub, on, enrollment, tagsJson, desiredJson, on ? "assigned" : "disabled",
                substatus, certSerial, version, createdAt, at);
    }
}
