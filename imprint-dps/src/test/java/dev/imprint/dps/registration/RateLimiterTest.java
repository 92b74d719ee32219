package dev.imprint.dps.registration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The buckets on a hand-moved clock: the overall limit shared by the live provisioning nodes. */
class RateLimiterTest {
    static final long SECOND = 1_000_000_000L;

    final AtomicLong nanos = new AtomicLong(42 * SECOND);
    final AtomicInteger nodes = new AtomicInteger(2);
    final AtomicInteger nodeReads = new AtomicInteger();

    RateLimiter limiter(int overallPerSecond, int perDevicePerMinute) {
        return new RateLimiter(overallPerSecond, perDevicePerMinute, () -> {
            nodeReads.incrementAndGet();
            return nodes.get();
        }, nanos::get);
    }

    /** Registrations admitted over {@code seconds}, offered 100 per tenth of a second (far above any limit). */
    int admittedOver(RateLimiter l, int seconds) {
        int admitted = 0;
        for (int tick = 0; tick < seconds * 10; tick++) {
            for (int i = 0; i < 100; i++) {
                if (l.overall() == 0) {
                    admitted++;
                }
            }
            nanos.addAndGet(SECOND / 10);
        }
        return admitted;
    }

    @Test
    void each_of_two_live_nodes_admits_half_of_the_overall_rate() {
        RateLimiter a = limiter(10, 0);
        RateLimiter b = limiter(10, 0);
        int burst = 0;
        while (a.overall() == 0) {
            burst++;
        }
        assertThat(burst).as("one second's worth of this node's share").isEqualTo(5);
        assertThat(a.overall()).as("seconds to wait for the next token at 5/s").isEqualTo(1);

        // 20 s at 5/s each, plus b's untouched burst of 5
        int admittedA = admittedOver(a, 20);
        nanos.addAndGet(-20 * SECOND); // b sees the same 20 s (buckets only look at differences)
        int admittedB = admittedOver(b, 20);
        assertThat(admittedA).isBetween(99, 101);
        assertThat(admittedB).isBetween(104, 106);
        assertThat(admittedA + admittedB - 5).as("the service-wide 10/s over 20 s").isBetween(198, 202);
    }

    @Test
    void one_node_admits_the_whole_rate_as_before() {
        nodes.set(1);
        RateLimiter l = limiter(10, 0);
        assertThat(admittedOver(l, 10)).as("burst of 10, then 10/s").isBetween(109, 111);
        RateLimiter legacy = new RateLimiter(10, 0);
        int burst = 0;
        while (legacy.overall() == 0 && burst < 100) {
            burst++;
        }
        assertThat(burst).as("the single-node constructor: 1 node").isEqualTo(10);
    }

    @Test
    void the_node_count_is_reread_every_few_seconds_not_per_request() {
        RateLimiter l = limiter(10, 0);
        admittedOver(l, 2); // 2 s of requests (t = 0 .. 1.9 s): one read
        assertThat(nodeReads.get()).isEqualTo(1);
        assertThat(l.nodes()).isEqualTo(2);

        nodes.set(1); // the other node died
        admittedOver(l, 2); // t = 2 .. 3.9 s: within the refresh interval, still 2 nodes
        assertThat(nodeReads.get()).isEqualTo(1);
        assertThat(l.nodes()).isEqualTo(2);
        admittedOver(l, 2); // t = 4 .. 5.9 s: past the interval at 5 s, read again, the share doubles
        assertThat(nodeReads.get()).isEqualTo(2);
        assertThat(l.nodes()).isEqualTo(1);
        assertThat(admittedOver(l, 4)).as("10/s again").isBetween(39, 41);
    }

    @Test
    void a_failing_or_nonsensical_node_count_keeps_a_usable_share() {
        nodes.set(0); // the node table does not list this node yet: it still counts itself
        RateLimiter l = limiter(10, 0);
        assertThat(admittedOver(l, 1)).isBetween(19, 21); // burst 10, then 10/s
        assertThat(l.nodes()).isEqualTo(1);

        RateLimiter failing = new RateLimiter(10, 0, () -> {
            throw new IllegalStateException("store down");
        }, nanos::get);
        assertThat(admittedOver(failing, 1)).as("the last good count (1)").isBetween(19, 21);
    }

    @Test
    void a_share_below_one_per_second_still_admits_one_then_waits_long() {
        nodes.set(1000);
        RateLimiter l = limiter(1, 0);
        assertThat(l.overall()).isZero();
        assertThat(l.overall()).as("1/1000 per second: the next token in 1000 s").isEqualTo(1000);
    }

    @Test
    void the_per_device_limit_stays_per_node() {
        RateLimiter a = limiter(0, 3);
        RateLimiter b = limiter(0, 3);
        for (int i = 0; i < 3; i++) {
            assertThat(a.device("dev-1")).isZero();
            assertThat(b.device("dev-1")).as("documented: up to N times looser across N nodes").isZero();
        }
        assertThat(a.device("dev-1")).isEqualTo(20); // 3 per minute: one every 20 s
        assertThat(a.device("dev-2")).isZero();
        nanos.addAndGet(20 * SECOND);
        assertThat(a.device("dev-1")).isZero();
    }

    @Test
    void zero_turns_a_limit_off_and_never_asks_for_the_node_count() {
        RateLimiter l = limiter(0, 0);
        for (int i = 0; i < 1000; i++) {
            assertThat(l.overall()).isZero();
            assertThat(l.device("dev")).isZero();
        }
        assertThat(nodeReads.get()).isZero();
    }
}
