package dev.imprint.store;

/**
 * Device twins. Patches are JSON merge patches (RFC 7396: a null value deletes the member),
 * applied in one transaction that increments the section's version.
 */
public interface TwinStore {

    /** The twin, or {@link TwinRecord#empty} when none is stored. */
    TwinRecord get(String deviceId);

    /**
     * @param patchJson a JSON object
     * @return the twin after the patch
     * @throws IllegalArgumentException when the patch is not a JSON object
     */
    TwinRecord patchDesired(String deviceId, String patchJson);

    /** As {@link #patchDesired}, for the reported section. */
    TwinRecord patchReported(String deviceId, String patchJson);
}
