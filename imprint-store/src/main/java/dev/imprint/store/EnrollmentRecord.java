package dev.imprint.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A DPS enrollment as stored; the provisioning service gives the JSON fields their meaning.
 *
 * @param kind {@code group} or {@code individual}
 * @param caPem group: PEM of the CA certificate devices must chain to; individual: null
 * @param idPattern group: optional regular expression the registration ID must match in full
 * @param deviceId individual: the registration ID; group: null
 * @param allocation policy name ({@code hashed}, {@code static}, {@code region}, {@code webhook})
 * @param allocationJson policy settings, a JSON object
 * @param hubs hub names the policy chooses from; empty = every hub
 * @param tagsJson initial twin tags, a JSON object
 * @param desiredJson initial desired properties, a JSON object
 * @param reprovision {@code reprovisionAndMigrate}, {@code reprovisionAndReset} or {@code never}
 * @param awsPolicyJson extra AWS topic filters, {@code {"publish":[...],"subscribe":[...]}}; null = the default policy alone
 */
public record EnrollmentRecord(
        String name,
        String kind,
        String caPem,
        String idPattern,
        String deviceId,
        String allocation,
        String allocationJson,
        List<String> hubs,
        String tagsJson,
        String desiredJson,
        String reprovision,
        boolean enabled,
        Instant createdAt,
        Instant updatedAt,
        String awsPolicyJson) {

    /** An enrollment without an AWS topic policy. */
    public EnrollmentRecord(String name, String kind, String caPem, String idPattern, String deviceId, String allocation,
            String allocationJson, List<String> hubs, String tagsJson, String desiredJson, String reprovision, boolean enabled,
            Instant createdAt, Instant updatedAt) {
        this(name, kind, caPem, idPattern, deviceId, allocation, allocationJson, hubs, tagsJson, desiredJson, reprovision, enabled,
                createdAt, updatedAt, null);
    }

    public EnrollmentRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(allocation, "allocation");
        Objects.requireNonNull(allocationJson, "allocationJson");
        hubs = List.copyOf(hubs);
        Objects.requireNonNull(tagsJson, "tagsJson");
        Objects.requireNonNull(desiredJson, "desiredJson");
        Objects.requireNonNull(reprovision, "reprovision");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }
}
