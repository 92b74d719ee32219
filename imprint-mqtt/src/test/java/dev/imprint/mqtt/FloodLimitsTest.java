package dev.imprint.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class FloodLimitsTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    void the_publish_rate_allows_a_seconds_burst_then_the_rate() {
        PublishRate r = new PublishRate(10, 0);
        for (int i = 0; i < 10; i++) {
            assertThat(r.take(0)).isTrue();
        }
        assertThat(r.take(0)).as("the 11th in the same instant").isFalse();
        assertThat(r.waitNanos()).as("one in debt: two tokens' time").isEqualTo(2 * SECOND / 10);
        assertThat(r.take(SECOND / 2)).as("half a second refills 5, the debt takes 1").isTrue();
    }

    @Test
    void a_refused_publish_costs_no_token() {
        PublishRate r = new PublishRate(2, 0);
        assertThat(r.tryTake(0)).isTrue();
        assertThat(r.tryTake(0)).isTrue();
        for (int i = 0; i < 100; i++) {
            assertThat(r.tryTake(0)).isFalse();
        }
        assertThat(r.tryTake(SECOND / 2)).as("half a second: one token, not one after a debt of 100").isTrue();
    }

    @Test
    void a_rate_of_zero_is_no_limit() {
        PublishRate r = new PublishRate(0, 0);
        for (int i = 0; i < 10_000; i++) {
            assertThat(r.take(0)).isTrue();
        }
        assertThat(r.waitNanos()).isZero();
    }

    @Test
    void the_source_cap_counts_open_connections_per_address() {
        SourceCap cap = new SourceCap(2);
        InetSocketAddress a1 = new InetSocketAddress("127.0.11.1", 1000);
        InetSocketAddress a2 = new InetSocketAddress("127.0.11.1", 1001);
        InetSocketAddress b = new InetSocketAddress("127.0.11.2", 1000);
        assertThat(cap.admit(a1)).isTrue();
        assertThat(cap.admit(a2)).isTrue();
        assertThat(cap.admit(a1)).as("a third from the same address").isFalse();
        assertThat(cap.admit(b)).as("another address").isTrue();
        cap.release(a1);
        assertThat(cap.admit(a2)).as("a slot given back").isTrue();
        cap.release(a1);
        cap.release(a2);
        cap.release(b);
        assertThat(cap.sources()).as("no entry outlives its last connection").isZero();
    }

    @Test
    void a_cap_of_zero_admits_everyone() {
        SourceCap cap = new SourceCap(0);
        for (int i = 0; i < 1000; i++) {
            assertThat(cap.admit(new InetSocketAddress("127.0.11.1", 1000))).isTrue();
        }
        assertThat(cap.sources()).isZero();
    }
}
