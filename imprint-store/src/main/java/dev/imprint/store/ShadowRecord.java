package dev.imprint.store;

import java.time.Instant;

/**
 * One shadow document as stored: the classic shadow ({@code name} = {@link ShadowStore#CLASSIC})
 * is the device twin's row seen through the AWS dialect; a named one has its own row.
 *
 * @param desired JSON object, {@code {}} when the section is absent
 * @param reported JSON object, {@code {}} when the section is absent
 * @param metadata JSON object {@code {"desired":{...},"reported":{...}}} of per-leaf {@code {"timestamp":s}}
 * @param version accepted changes so far (kept across a delete; 0 for one never written)
 * @param exists false for a shadow never created or deleted
 * @param desiredVersion classic only: the twin's desired {@code $version} (1 for an empty twin); 0 for a named shadow
 * @param reportedVersion classic only: the twin's reported {@code $version}; 0 for a named shadow
 */
public record ShadowRecord(String deviceId, String name, String desired, String reported, String metadata, long version,
        boolean exists, Instant updatedAt, long desiredVersion, long reportedVersion) {

    /** The shadow of a device nothing was written for. */
    public static ShadowRecord absent(String deviceId, String name) {
        boolean classic = ShadowStore.CLASSIC.equals(name);
        return new ShadowRecord(deviceId, name, "{}", "{}", "{}", 0, false, Instant.EPOCH, classic ? 1 : 0, classic ? 1 : 0);
    }

    public boolean classic() {
        return ShadowStore.CLASSIC.equals(name);
    }
}
