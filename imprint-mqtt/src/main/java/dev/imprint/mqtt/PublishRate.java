package dev.imprint.mqtt;

/**
 * PUBLISH packets per second of one connection: a token bucket of one second's worth, refilled
 * evenly. A publish always takes its token, so the bucket may go into debt (packets already read
 * in one batch are handled); {@link #waitNanos} is how long until it is out of it. Per connection,
 * not per identity: a device has one session at a time, and reconnecting to refill the bucket is
 * bounded by the CONNECT budget (30 a minute). Event loop only.
 */
final class PublishRate {
    private final int perSecond;
    private double tokens;
    private long updated;

    /** @param perSecond 0: unlimited */
    PublishRate(int perSecond, long nowNanos) {
        this.perSecond = perSecond;
        this.tokens = perSecond;
        this.updated = nowNanos;
    }

    /** Takes a token; false when there was none (the publish is over the rate). */
    boolean take(long nowNanos) {
        if (perSecond == 0) {
            return true;
        }
        tokens = Math.min(perSecond, tokens + (nowNanos - updated) / 1e9 * perSecond);
        updated = nowNanos;
        boolean within = tokens >= 1;
        tokens -= 1;
        return within;
    }

    /** Takes a token only when there is one (a refused publish costs nothing). */
    boolean tryTake(long nowNanos) {
        if (perSecond == 0) {
            return true;
        }
        tokens = Math.min(perSecond, tokens + (nowNanos - updated) / 1e9 * perSecond);
        updated = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Time until a token is available again (0 when one is). */
    long waitNanos() {
        return perSecond == 0 || tokens >= 1 ? 0 : (long) ((1 - tokens) / perSecond * 1e9);
    }

    int perSecond() {
        return perSecond;
    }
}
