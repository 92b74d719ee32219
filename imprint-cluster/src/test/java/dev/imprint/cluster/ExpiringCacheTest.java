package dev.imprint.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Values kept for their lifetime and no longer, never more keys than the bound, never a failed read. */
class ExpiringCacheTest {
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final AtomicInteger reads = new AtomicInteger();
    private final ExpiringCache<String, String> cache = new ExpiringCache<>(Duration.ofSeconds(1), 2, nanos::get);

    private String read(String key) {
        return key + "#" + reads.incrementAndGet();
    }

    @Test
    void a_value_is_read_once_within_its_lifetime_and_again_after_it() {
        assertThat(cache.get("a", this::read)).isEqualTo("a#1");
        nanos.addAndGet(999_999_999);
        assertThat(cache.get("a", this::read)).isEqualTo("a#1");
        nanos.incrementAndGet();
        assertThat(cache.get("a", this::read)).isEqualTo("a#2");
        assertThat(cache.get("a", this::read)).isEqualTo("a#2");
    }

    @Test
    void a_full_cache_drops_expired_keys_and_reads_a_new_key_through_while_none_has_expired() {
        cache.get("a", this::read);
        cache.get("b", this::read);
        assertThat(cache.get("c", this::read)).isEqualTo("c#3");
        assertThat(cache.get("c", this::read)).as("read through, not kept").isEqualTo("c#4");
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.get("a", this::read)).as("kept keys stay").isEqualTo("a#1");

        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(cache.get("c", this::read)).isEqualTo("c#5");
        assertThat(cache.get("c", this::read)).as("kept once the expired keys went").isEqualTo("c#5");
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void a_failed_read_keeps_nothing_and_the_next_request_reads_again() {
        assertThatThrownBy(() -> cache.get("a", k -> {
            throw new IllegalStateException("no " + k);
        })).hasMessage("no a");
        assertThat(cache.size()).isZero();
        assertThat(cache.get("a", this::read)).isEqualTo("a#1");
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThatThrownBy(() -> cache.get("a", k -> {
            throw new IllegalStateException("gone");
        })).hasMessage("gone");
        assertThat(cache.get("a", this::read)).as("the expired value is not served after a failed read").isEqualTo("a#2");
    }

    @Test
    void an_invalidated_key_is_read_again_at_once() {
        assertThat(cache.get("a", this::read)).isEqualTo("a#1");
        cache.invalidate("a");
        assertThat(cache.get("a", this::read)).isEqualTo("a#2");
        assertThat(cache.get("a", this::read)).isEqualTo("a#2");
    }
}
