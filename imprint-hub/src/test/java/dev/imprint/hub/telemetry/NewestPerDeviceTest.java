package dev.imprint.hub.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imprint.store.TelemetryRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NewestPerDeviceTest {

    static TelemetryRecord record(String device, int n) {
        return new TelemetryRecord(0, device, "hub-t", Instant.EPOCH, "{}", Integer.toString(n).getBytes(StandardCharsets.US_ASCII));
    }

    static List<String> names(List<TelemetryRecord> rs) {
        return rs.stream().map(r -> r.deviceId() + ":" + new String(r.body(), StandardCharsets.US_ASCII)).toList();
    }

    @Test
    void a_fast_device_keeps_its_newest_messages_and_a_slow_one_all_in_arrival_order() {
        List<TelemetryRecord> batch = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            batch.add(record("fast", i));
            if (i % 4 == 0) {
                batch.add(record("slow", i));
            }
        }
        assertThat(names(new NewestPerDevice(3).of(batch)))
                .containsExactly("slow:0", "slow:4", "fast:7", "fast:8", "slow:8", "fast:9");
    }

    @Test
    void a_batch_where_no_device_is_over_the_bound_is_kept_whole() {
        NewestPerDevice window = new NewestPerDevice(2);
        List<TelemetryRecord> small = List.of(record("a", 0), record("a", 1));
        List<TelemetryRecord> spread = List.of(record("a", 0), record("b", 0), record("a", 1), record("c", 0), record("b", 1));
        assertThat(window.of(small)).isSameAs(small);
        assertThat(window.of(spread)).isSameAs(spread);
    }

    @Test
    void each_batch_is_thinned_on_its_own() {
        NewestPerDevice window = new NewestPerDevice(1);
        assertThat(names(window.of(List.of(record("a", 0), record("a", 1), record("b", 0))))).containsExactly("a:1", "b:0");
        assertThat(names(window.of(List.of(record("b", 1), record("b", 2), record("a", 2))))).containsExactly("b:2", "a:2");
    }

    @Test
    void refuses_a_bound_below_one() {
        assertThatThrownBy(() -> new NewestPerDevice(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
