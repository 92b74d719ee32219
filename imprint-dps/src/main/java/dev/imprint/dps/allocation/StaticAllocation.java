package dev.imprint.dps.allocation;

import dev.imprint.dps.DpsReason;
import dev.imprint.store.HubRecord;

/** Always the hub named in the settings ({@code {"hub": "hub-2"}}), else the first candidate. */
public final class StaticAllocation implements AllocationPolicy {
    private final String hub;

    /** @param hub the hub's name, or null for the first candidate hub */
    public StaticAllocation(String hub) {
        this.hub = hub;
    }

    @Override
    public Allocation allocate(AllocationRequest r) {
        if (hub == null) {
            return Allocation.to(r.candidates().get(0));
        }
        for (HubRecord h : r.candidates()) {
            if (h.name().equals(hub)) {
                return Allocation.to(h);
            }
        }
        return Allocation.refused(DpsReason.NO_HUB.name(), "static hub " + hub + " is not one of the enrollment's hubs");
    }
}
