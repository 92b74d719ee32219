package dev.imprint.dps.allocation;

/**
 * Chooses a hub for a device. Implementations are thread-safe, never throw for bad input (a
 * {@link Allocation.Refused} instead), and may block (the webhook): call them off event loops.
 */
@FunctionalInterface
public interface AllocationPolicy {
    Allocation allocate(AllocationRequest request);
}
