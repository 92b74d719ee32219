package dev.imprint.dps.allocation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imprint.store.HubRecord;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * By region: the hubs of the region the device reports in its payload ({@code "region"}),
 * spread by weighted hashing; without one (or with an unknown one) the hub with the lowest
 * measured latency (see {@link LatencyProbe}), else weighted hashing over all candidates.
 */
public final class RegionAllocation implements AllocationPolicy {
    private final ToLongFunction<HubRecord> latencyMicros;

    /** @param latencyMicros a hub's latency in microseconds, {@code Long.MAX_VALUE} when unknown or unreachable */
    public RegionAllocation(ToLongFunction<HubRecord> latencyMicros) {
        this.latencyMicros = latencyMicros;
    }

    @Override
    public Allocation allocate(AllocationRequest r) {
        String region = region(r.payload());
        if (region != null) {
            List<HubRecord> inRegion = r.candidates().stream().filter(h -> region.equalsIgnoreCase(h.region())).toList();
            if (!inRegion.isEmpty()) {
                return Allocation.to(WeightedHashing.choose(r.registrationId(), inRegion));
            }
        }
        HubRecord fastest = null;
        long best = Long.MAX_VALUE;
        for (HubRecord h : r.candidates()) {
            long l = latencyMicros.applyAsLong(h);
            if (l < best) {
                best = l;
                fastest = h;
            }
        }
        return Allocation.to(fastest != null ? fastest : WeightedHashing.choose(r.registrationId(), r.candidates()));
    }

    static String region(JsonNode payload) {
        if (payload == null) {
            return null;
        }
        JsonNode n = payload.get("region");
        return n != null && n.isTextual() && !n.asText().isBlank() ? n.asText() : null;
    }
}
