package dev.imprint.cluster;

/**
 * A token bucket on the caller's clock ({@link System#nanoTime} or a test's): {@code capacity}
 * tokens, refilled evenly at {@code perSecond}. Thread-safe.
 */
public final class TokenBucket {
    private double capacity;
    private double perNano;
    private double tokens;
    private long last;

    /** A full bucket. */
    public TokenBucket(double capacity, double perSecond, long nowNanos) {
        this.capacity = capacity;
        this.perNano = perSecond / 1e9;
        this.tokens = capacity;
        this.last = nowNanos;
    }

    /** Takes one token: 0 when there was one, else the whole seconds until the next (at least 1). */
    public synchronized int take(long nowNanos) {
        refill(nowNanos);
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return (int) Math.max(1, Math.ceil((1 - tokens) / perNano / 1e9));
    }

    /** A new capacity and rate from now on; tokens beyond the new capacity are dropped. */
    public synchronized void resize(double newCapacity, double newPerSecond, long nowNanos) {
        refill(nowNanos);
        capacity = newCapacity;
        perNano = newPerSecond / 1e9;
        tokens = Math.min(tokens, capacity);
    }

    private void refill(long now) {
        tokens = Math.min(capacity, tokens + Math.max(0, now - last) * perNano);
        last = Math.max(last, now);
    }
}
