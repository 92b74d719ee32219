package dev.imprint.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock a test moves by hand: one that stands still from a start ({@link #at}), or the wall
 * clock shifted by what the test moved it ({@link #wall}). Thread-safe; always UTC.
 */
public final class MovableClock extends Clock {
    private final Clock base;
    private final AtomicReference<Duration> moved = new AtomicReference<>(Duration.ZERO);

    private MovableClock(Clock base) {
        this.base = base;
    }

    /** Stands at {@code start} until moved. */
    public static MovableClock at(Instant start) {
        return new MovableClock(Clock.fixed(start, ZoneOffset.UTC));
    }

    /** The wall clock until moved; moved back (a negative {@code d}) it is behind the wall clock. */
    public static MovableClock wall() {
        return new MovableClock(Clock.systemUTC());
    }

    /** Moves it by {@code d}, forward or (negative) back. */
    public void advance(Duration d) {
        moved.accumulateAndGet(d, Duration::plus);
    }

    @Override
    public Instant instant() {
        return base.instant().plus(moved.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
