package dev.imprint.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TakenEpochsTest {

    @Test
    void a_taken_epoch_covers_it_and_every_older_one_of_that_device_only() {
        TakenEpochs t = new TakenEpochs(Duration.ofSeconds(30));
        t.add("d1", 5);
        t.add("d1", 3); // a late, older notice does not lower it
        assertThat(t.covers("d1", 5)).isTrue();
        assertThat(t.covers("d1", 4)).isTrue();
        assertThat(t.covers("d1", 6)).as("a newer session of the device").isFalse();
        assertThat(t.covers("d2", 1)).as("another device").isFalse();
    }

    @Test
    void what_was_taken_is_forgotten_after_the_window_and_not_before() {
        TakenEpochs t = new TakenEpochs(Duration.ofSeconds(30));
        t.add("d1", 7);
        long now = System.nanoTime();
        t.forgetOlder(now + Duration.ofSeconds(29).toNanos());
        assertThat(t.covers("d1", 7)).isTrue();
        t.forgetOlder(now + Duration.ofSeconds(31).toNanos());
        assertThat(t.covers("d1", 7)).isFalse();
        assertThat(t.size()).isZero();
    }
}
