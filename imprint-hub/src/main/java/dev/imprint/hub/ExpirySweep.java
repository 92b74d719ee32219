package dev.imprint.hub;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Which live sessions' certificates have expired, looked at once a second (at the start of each
 * wall-clock second: X.509 times are whole seconds, so a session still closes at the first instant
 * the validator would refuse its certificate). Replaces a timer per session, which cost every idle
 * session a scheduled task and kept a closed session, connection and all, until its certificate's
 * notAfter. The sessions are walked only when the earliest deadline among them has come.
 * Thread-safe.
 */
final class ExpirySweep {
    /** The earliest closing time (epoch ms) of the sessions added since the last walk; MAX_VALUE for none. */
    private final AtomicLong earliest = new AtomicLong(Long.MAX_VALUE);

    /** The first instant (epoch ms) the validator refuses the session's certificate: it is valid through notAfter's whole second. */
    static long closeAt(DeviceSession s) {
        return s.notAfter.toEpochMilli() + 1_000;
    }

    /** A session is live (called after it is in the table, so a walk that starts later sees it). */
    void added(DeviceSession s) {
        earliest.accumulateAndGet(closeAt(s), Math::min);
    }

    /** Hands every session whose certificate has expired to {@code expired}, when one may have. */
    void sweep(long nowMillis, Iterable<DeviceSession> live, Consumer<DeviceSession> expired) {
        if (nowMillis < earliest.get()) {
            return;
        }
        // reset before the walk: a session added meanwhile lowers it again, walked or not
        earliest.set(Long.MAX_VALUE);
        for (DeviceSession s : live) {
            long at = closeAt(s);
            if (at <= nowMillis) {
                expired.accept(s);
            } else {
                earliest.accumulateAndGet(at, Math::min);
            }
        }
    }

    /** Milliseconds from {@code nowMillis} to just after the next whole second. */
    static long untilNextSecond(long nowMillis) {
        return 1_000 - Math.floorMod(nowMillis, 1_000L) + 2;
    }
}
