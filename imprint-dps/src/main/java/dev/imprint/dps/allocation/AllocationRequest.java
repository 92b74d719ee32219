package dev.imprint.dps.allocation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imprint.dps.enrollment.Enrollment;
import dev.imprint.store.HubRecord;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What a policy decides on.
 *
 * @param candidates the enrollment's hubs that exist, never empty
 * @param payload the device's payload (JSON), or null
 * @param leaf the device's certificate
 */
public record AllocationRequest(String registrationId, Enrollment enrollment, List<HubRecord> candidates,
        JsonNode payload, X509Certificate leaf) {
    public AllocationRequest {
        candidates = List.copyOf(candidates);
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no candidate hubs");
        }
    }
}
