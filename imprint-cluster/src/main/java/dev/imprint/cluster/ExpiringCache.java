package dev.imprint.cluster;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Values read through for a short lifetime, so that what a hot path would otherwise read from the
 * store on every request is read at most once per key and lifetime, and a change made on another
 * node is seen within that lifetime. A value read at time t is used until t + lifetime, t taken
 * before the read, so a change committed at T is seen by every request from T + lifetime.
 *
 * <p>A read that throws keeps nothing: a failure or a refusal is never cached, the next request
 * reads again. At most {@code maxEntries} keys are kept: when full, expired ones are dropped, and
 * if none has expired a new key is read through and not kept. Thread-safe; two threads that miss
 * at once both read (the hot path's threads bound that).
 */
public final class ExpiringCache<K, V> {
    private record Entry<V>(V value, long readAt) {}

    private final long lifetimeNanos;
    private final int maxEntries;
    private final LongSupplier nanoTime;
    private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();

    /**
     * @param lifetime how long a value read is used; positive
     * @param maxEntries the most keys kept; positive
     * @param nanoTime {@link System#nanoTime} but in tests
     */
    public ExpiringCache(Duration lifetime, int maxEntries, LongSupplier nanoTime) {
        if (lifetime.isNegative() || lifetime.isZero() || maxEntries <= 0) {
            throw new IllegalArgumentException("lifetime and maxEntries must be positive: " + lifetime + ", " + maxEntries);
        }
        this.lifetimeNanos = lifetime.toNanos();
        this.maxEntries = maxEntries;
        this.nanoTime = nanoTime;
    }

    /**
     * The value of {@code key}, from {@code read} when there is none younger than the lifetime.
     * {@code read} must not return null; what it throws reaches the caller, and nothing is kept.
     */
    public V get(K key, Function<? super K, ? extends V> read) {
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

    /** Forgets {@code key}'s value (after a change made through this node): the next request reads it again. */
    public void invalidate(K key) {
        entries.remove(key);
    }

    /** How many keys are kept now. */
    public int size() {
        return entries.size();
    }
}
