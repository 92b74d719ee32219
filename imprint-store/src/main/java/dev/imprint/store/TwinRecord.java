package dev.imprint.store;

import java.time.Instant;

/**
 * A device twin: desired properties (set by the back end) and reported properties (sent by the
 * device), each a JSON object with its own version, incremented by every patch.
 */
public record TwinRecord(String deviceId, String desired, long desiredVersion, String reported, long reportedVersion,
        Instant updatedAt) {

    /** The twin of a device nothing was written for yet. */
    public static TwinRecord empty(String deviceId) {
        return new TwinRecord(deviceId, "{}", 1, "{}", 1, Instant.EPOCH);
    }
}
