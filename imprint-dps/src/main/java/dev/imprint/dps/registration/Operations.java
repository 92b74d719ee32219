package dev.imprint.dps.registration;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Results of recent registrations by operation ID, in memory, for the device's polls. Bounded
 * in time ({@code ttl}) and size; the durable record is the device registry and its history.
 */
public final class Operations {
    private final Clock clock;
    private final Duration ttl;
    private final int max;
    private final Map<String, Entry> byId = new ConcurrentHashMap<>();

    private record Entry(Operation op, long expiresAt) {}

    public Operations(Clock clock, Duration ttl, int max) {
        this.clock = clock;
        this.ttl = ttl;
        this.max = max;
    }

    public void put(Operation op) {
        long now = clock.millis();
        if (byId.size() >= max) {
            evict(now);
        }
        byId.put(op.operationId(), new Entry(op, now + ttl.toMillis()));
    }

    /** The operation, if it is known, not expired, and belongs to {@code registrationId}. */
    public Optional<Operation> find(String operationId, String registrationId) {
        Entry e = byId.get(operationId);
        if (e == null || e.expiresAt < clock.millis() || !e.op.registrationId().equals(registrationId)) {
            return Optional.empty();
        }
        return Optional.of(e.op);
    }

    private void evict(long now) {
        for (Iterator<Entry> it = byId.values().iterator(); it.hasNext(); ) {
            if (it.next().expiresAt < now) {
                it.remove();
            }
        }
        // still full: drop arbitrary entries; their devices can register again
        for (Iterator<String> it = byId.keySet().iterator(); byId.size() >= max && it.hasNext(); ) {
            it.next();
            it.remove();
        }
    }
}
