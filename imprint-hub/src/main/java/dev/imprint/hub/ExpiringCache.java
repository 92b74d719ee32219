package dev.imprint.hub;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Values read through for a short lifetime: what a hot path would otherwise read from the store
 * on every request is read at most once per key and lifetime. A value read at time t is used until
 * t + lifetime, t taken before the read, so a change committed at T is seen by every request from
 * T + lifetime. At most {@code maxEntries} keys are kept: when full, expired ones are dropped,
 * and if none has expired a new key is read through and not kept. Thread-safe; two threads that
 * miss at once both read (the hot path's threads bound that).
 */
final class ExpiringCache<K, V> {
    private record Entry<V>(V value, long readAt) {}

    private final long lifetimeNanos;
    private final int maxEntries;
    private final LongSupplier nanoTime;
    private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();

    /** @param nanoTime {@link System#nanoTime} but in tests */
    ExpiringCache(Duration lifetime, int maxEntries, LongSupplier nanoTime) {
        this.lifetimeNanos = lifetime.toNanos();
        this.maxEntries = maxEntries;
        this.nanoTime = nanoTime;
    }

    /** The value of {@code key}, from {@code read} when there is none younger than the lifetime; {@code read} must not return null. */
    V get(K key, Function<? super K, ? extends V> read) {
        long now = nanoTime.getAsLong();
        Entry<V> kept = entries.get(key);
        if (kept != null && now - kept.readAt < lifetimeNanos) {
            return kept.value;
        }
        V value = read.apply(key);
        if (kept == null && entries.size() >= maxEntries) {
            entries.values().removeIf(e -> now - e.readAt >= lifetimeNanos);
        }
        if (kept != null || entries.size() < maxEntries) {
            entries.put(key, new Entry<>(value, now));
        }
        return value;
    }

    /** How many keys are kept now. */
    int size() {
        return entries.size();
    }
}
