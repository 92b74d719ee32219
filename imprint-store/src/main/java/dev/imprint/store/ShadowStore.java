package dev.imprint.store;

import java.util.List;
import java.util.function.IntSupplier;

/**
 * Device shadows (the AWS dialect of the device document). The classic shadow is the twin row
 * ({@link TwinStore} writes the same row), named shadows have their own rows. The store keeps
 * documents; what a change means (merge, limits, versions) is the caller's {@link Change}.
 */
public interface ShadowStore {
    /** The name of the classic (unnamed) shadow. */
    String CLASSIC = "";

    /** The shadow, or {@link ShadowRecord#absent} (exists false, version 0) when never written. */
    ShadowRecord get(String deviceId, String name);

    /**
     * Reads the shadow under a lock, lets {@code change} decide, and writes its result, in one
     * transaction: no other update of the same shadow (from either dialect) comes in between.
     * {@code change} may run more than once (a concurrent first write of the same shadow is
     * retried), so it must be free of side effects.
     */
    <T> T update(String deviceId, String name, Change<T> change);

    /** Names of the device's existing (not deleted) named shadows, sorted. */
    List<String> names(String deviceId);

    /** What an update does with the current document. */
    interface Change<T> {
        /**
         * @param current the stored document ({@link ShadowRecord#absent} when none)
         * @param namedShadows how many named shadows of the device exist (queried when called)
         */
        Outcome<T> apply(ShadowRecord current, IntSupplier namedShadows);
    }

    /** @param write the document to store, or null to write nothing; {@code result} is returned by update */
    record Outcome<T>(ShadowRecord write, T result) {}
}
