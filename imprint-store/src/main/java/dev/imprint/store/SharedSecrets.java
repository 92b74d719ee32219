package dev.imprint.store;

import java.util.function.Supplier;

/** Secrets the nodes of a cluster share and a restart keeps, by name (migration V14). */
public interface SharedSecrets {

    /**
     * The secret named {@code name}: the stored one, or, on first use, {@code fresh}'s, stored.
     * Concurrent first uses on several nodes all return the one that was stored first.
     *
     * @throws StoreException when the store cannot be read or written
     */
    byte[] secret(String name, Supplier<byte[]> fresh);
}
