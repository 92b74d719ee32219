package dev.imprint.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The wheel alone, on an EmbeddedChannel's loop with its clock frozen and moved by the test. */
class KeepAliveWheelTest {
    static final long STEP_MS = 50;

    final EmbeddedChannel loop = new EmbeddedChannel();
    final KeepAliveWheel wheel;
    /** Entry name -> the wheel's time when it expired. */
    final Map<String, Long> expired = new LinkedHashMap<>();

    KeepAliveWheelTest() {
        loop.freezeTime();
        wheel = new KeepAliveWheel(loop.eventLoop());
    }

    KeepAliveWheel.Entry entry(String name, long timeoutMs) {
        return new KeepAliveWheel.Entry(TimeUnit.MILLISECONDS.toNanos(timeoutMs), wheel.now()) {
            @Override
            void expired() {
                expired.put(name, wheel.now());
            }
        };
    }

    void advance(long ms) {
        for (long t = 0; t < ms; t += STEP_MS) {
            loop.advanceTimeBy(STEP_MS, TimeUnit.MILLISECONDS);
            loop.runScheduledPendingTasks();
        }
    }

    @Test
    void each_silent_entry_expires_within_two_ticks_after_its_deadline_also_those_further_than_one_turn() {
        long start = wheel.now();
        long[] timeouts = {1_500, 3_000, 90_000, 1_800_000};
        for (long t : timeouts) {
            wheel.add(entry("t" + t, t));
        }
        KeepAliveWheel.Entry gone = entry("removed", 1_500);
        wheel.add(gone);
        wheel.remove(gone);
        assertThat(wheel.size()).isEqualTo(timeouts.length);
        advance(1_800_000 + 1_000);
        assertThat(expired).containsOnlyKeys("t1500", "t3000", "t90000", "t1800000");
        for (long t : timeouts) {
            long late = expired.get("t" + t) - start - TimeUnit.MILLISECONDS.toNanos(t);
            assertThat(late).as("t%d closed after its deadline, by two ticks", t).isBetween(0L, 2 * KeepAliveWheel.TICK_NANOS + TimeUnit.MILLISECONDS.toNanos(STEP_MS));
        }
        assertThat(wheel.size()).isZero();
        assertThat(loop.runScheduledPendingTasks()).as("the wheel's task stops when it holds nothing").isEqualTo(-1);
    }

    @Test
    void an_entry_that_reads_stays_and_expires_a_timeout_after_its_last_read() {
        KeepAliveWheel.Entry e = entry("reader", 3_000);
        wheel.add(e);
        for (int i = 0; i < 20; i++) {
            advance(2_000);
            e.read(wheel.now());
        }
        assertThat(expired).isEmpty();
        long lastRead = wheel.now();
        advance(2_900);
        assertThat(expired).isEmpty();
        advance(400);
        assertThat(expired).containsKey("reader");
        assertThat(expired.get("reader") - lastRead).isBetween(TimeUnit.MILLISECONDS.toNanos(3_000),
                TimeUnit.MILLISECONDS.toNanos(3_000) + 2 * KeepAliveWheel.TICK_NANOS + TimeUnit.MILLISECONDS.toNanos(STEP_MS));
    }

    @Test
    void a_wheel_emptied_and_filled_again_turns_again() {
        KeepAliveWheel.Entry first = entry("first", 1_500);
        wheel.add(first);
        wheel.remove(first);
        assertThat(loop.runScheduledPendingTasks()).isEqualTo(-1);
        advance(10_000);
        wheel.add(entry("second", 1_500));
        advance(1_800);
        assertThat(expired).containsOnlyKeys("second");
    }
}
