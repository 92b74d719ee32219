package dev.imprint.hub;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The session epochs other nodes took over lately, by device: a SESSION_TAKEN may arrive while
 * the session it names is still on its way into this hub (claim committed, not yet admitted),
 * and the admission must then see it. Kept for {@link #REMEMBER}, far longer than a claim takes
 * from commit to admission; epochs only grow, so one number per device covers every older
 * session. Thread-safe.
 */
final class TakenEpochs {
    /** How long a taken epoch is remembered. */
    static final Duration REMEMBER = Duration.ofSeconds(30);

    private record Taken(long epoch, long atNanos) {}

    private final ConcurrentHashMap<String, Taken> byDevice = new ConcurrentHashMap<>();
    private final long rememberNanos;

    TakenEpochs(Duration remember) {
        this.rememberNanos = remember.toNanos();
    }

    void add(String deviceId, long epoch) {
        long now = System.nanoTime();
        byDevice.merge(deviceId, new Taken(epoch, now), (old, neu) -> new Taken(Math.max(old.epoch, neu.epoch), now));
    }

    /** Whether a session of this epoch was taken over (it, or a newer one of the device). */
    boolean covers(String deviceId, long epoch) {
        Taken t = byDevice.get(deviceId);
        return t != null && epoch <= t.epoch;
    }

    /** Forgets what was taken more than {@link #REMEMBER} before {@code nowNanos}. */
    void forgetOlder(long nowNanos) {
        byDevice.values().removeIf(t -> nowNanos - t.atNanos > rememberNanos);
    }

    int size() {
        return byDevice.size();
    }
}
