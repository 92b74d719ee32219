package dev.imprint.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token bucket and the rate shared by live nodes, on a hand-moved clock. */
class SharedRateTest {
    static final long SECOND = 1_000_000_000L;

    final AtomicLong nanos = new AtomicLong(7 * SECOND);
    final AtomicInteger live = new AtomicInteger(1);
    final AtomicInteger reads = new AtomicInteger();
    final LiveNodeCount nodes = new LiveNodeCount("test", () -> {
        reads.incrementAndGet();
        return live.get();
    }, nanos::get);

    private static int burst(SharedRate r) {
        int n = 0;
        while (r.take() == 0 && n < 10_000) {
            n++;
        }
        return n;
    }

    @Test
    void a_bucket_holds_its_capacity_and_no_more_then_refills_with_time() {
        TokenBucket b = new TokenBucket(3, 3, nanos.get());
        assertThat(b.take(nanos.get())).isZero();
        assertThat(b.take(nanos.get())).isZero();
        assertThat(b.take(nanos.get())).isZero();
        assertThat(b.take(nanos.get())).as("seconds until the next token at 3/s").isEqualTo(1);
        assertThat(b.take(nanos.get() + SECOND / 3 + 1)).isZero();
        assertThat(b.take(nanos.get() + 10 * SECOND)).as("refilled, but never beyond its capacity").isZero();
        assertThat(b.take(nanos.get() + 10 * SECOND)).isZero();
        assertThat(b.take(nanos.get() + 10 * SECOND)).isZero();
        assertThat(b.take(nanos.get() + 10 * SECOND)).isEqualTo(1);
    }

    @Test
    void one_live_node_admits_the_whole_rate() {
        SharedRate r = new SharedRate(10, nodes, nanos::get);
        assertThat(burst(r)).isEqualTo(10);
        assertThat(r.nodes()).isEqualTo(1);
        nanos.addAndGet(SECOND);
        assertThat(burst(r)).as("10 more a second later (give or take floating point)").isBetween(9, 10);
    }

    @Test
    void each_of_two_live_nodes_admits_half() {
        live.set(2);
        SharedRate a = new SharedRate(10, nodes, nanos::get);
        SharedRate b = new SharedRate(10, nodes, nanos::get);
        assertThat(burst(a)).isEqualTo(5);
        assertThat(burst(b)).isEqualTo(5);
        assertThat(a.share()).isEqualTo(5.0);
        nanos.addAndGet(SECOND);
        assertThat(burst(a) + burst(b)).as("the whole 10/s, split").isBetween(9, 10);
    }

    @Test
    void the_count_is_reread_every_few_seconds_and_a_failing_read_keeps_the_last_good_one() {
        live.set(2);
        SharedRate r = new SharedRate(10, nodes, nanos::get);
        burst(r);
        assertThat(reads.get()).isEqualTo(1);
        live.set(1); // the other node died
        nanos.addAndGet(LiveNodeCount.REFRESH_NANOS - 1);
        assertThat(burst(r)).as("still half until the count is reread").isEqualTo(5);
        nanos.addAndGet(1);
        assertThat(r.take()).as("reread: the whole rate, from the empty bucket: the next token within a second").isEqualTo(1);
        assertThat(r.nodes()).isEqualTo(1);
        assertThat(reads.get()).isEqualTo(2);
        nanos.addAndGet(SECOND);
        assertThat(burst(r)).as("10/s now").isBetween(9, 10);

        LiveNodeCount failing = new LiveNodeCount("test", () -> {
            throw new IllegalStateException("store down");
        }, nanos::get);
        assertThat(failing.getAsInt()).as("this node counts itself").isEqualTo(1);
        LiveNodeCount none = new LiveNodeCount("test", () -> 0, nanos::get);
        assertThat(none.getAsInt()).as("not in the table yet: still 1").isEqualTo(1);
    }

    @Test
    void a_share_below_one_per_second_admits_one_then_waits_long() {
        live.set(1000);
        SharedRate r = new SharedRate(1, nodes, nanos::get);
        assertThat(r.take()).isZero();
        assertThat(r.take()).as("1/1000 per second: the next token in 1000 s").isEqualTo(1000);
        assertThatThrownBy(() -> new SharedRate(0, nodes, nanos::get)).isInstanceOf(IllegalArgumentException.class);
    }
}
