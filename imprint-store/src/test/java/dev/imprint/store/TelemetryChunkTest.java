package dev.imprint.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TelemetryChunkTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private static TelemetryRecord msg(String device, String hub, int i, int bodyBytes) {
        return new TelemetryRecord(0, device, hub, T0.plusMillis(i), i % 2 == 0 ? "{}" : "{\"i\":\"" + i + "\"}", new byte[bodyBytes]);
    }

    @Test
    void a_run_ends_at_another_device_or_hub_or_its_limits() {
        List<TelemetryRecord> rs = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            rs.add(msg("a", "hub-1", i, 10));
        }
        rs.add(msg("b", "hub-1", 0, 10));
        rs.add(msg("b", "hub-2", 1, 10));
        rs.add(msg("c", "hub-1", 0, 100_000));
        rs.add(msg("c", "hub-1", 1, 100_000)); // past the byte limit together: a run each
        rs.add(msg("d", "hub-1", 0, 500_000)); // larger than the limit alone: still a run
        assertThat(TelemetryChunk.runLength(rs, 0)).isEqualTo(TelemetryChunk.MAX_MESSAGES);
        assertThat(TelemetryChunk.runLength(rs, 256)).isEqualTo(44);
        assertThat(TelemetryChunk.runLength(rs, 300)).isEqualTo(1);
        assertThat(TelemetryChunk.runLength(rs, 301)).isEqualTo(1);
        assertThat(TelemetryChunk.runLength(rs, 302)).isEqualTo(1);
        assertThat(TelemetryChunk.runLength(rs, 303)).isEqualTo(1);
        assertThat(TelemetryChunk.runLength(rs, 304)).isEqualTo(1);
    }

    @Test
    void packed_messages_unpack_to_the_same_with_their_numbers() {
        List<TelemetryRecord> rs = List.of(msg("a", "h", 1, 0), msg("a", "h", 2, 3), msg("a", "h", 3, 70_000));
        byte[] blob = TelemetryChunk.pack(rs, 0, 3);
        List<TelemetryRecord> back = TelemetryChunk.unpack(42, 3, "a", "h", blob);
        assertThat(back).extracting(TelemetryRecord::seq).containsExactly(40L, 41L, 42L);
        for (int i = 0; i < 3; i++) {
            assertThat(back.get(i).receivedAt()).isEqualTo(rs.get(i).receivedAt());
            assertThat(back.get(i).properties()).isEqualTo(rs.get(i).properties());
            assertThat(back.get(i).body()).isEqualTo(rs.get(i).body());
        }
    }

    @Test
    void a_damaged_run_is_a_store_error_naming_it() {
        byte[] blob = TelemetryChunk.pack(List.of(msg("a", "h", 1, 5), msg("a", "h", 2, 5)), 0, 2);
        assertThatThrownBy(() -> TelemetryChunk.unpack(9, 2, "a", "h", Arrays.copyOf(blob, blob.length - 1)))
                .isInstanceOf(StoreException.class).hasMessageContaining("of a up to message 9 is damaged: it ends early");
        assertThatThrownBy(() -> TelemetryChunk.unpack(9, 1, "a", "h", blob)).isInstanceOf(StoreException.class)
                .hasMessageContaining("bytes follow its 1 messages");
        byte[] future = blob.clone();
        future[0] = 2;
        assertThatThrownBy(() -> TelemetryChunk.unpack(9, 2, "a", "h", future)).isInstanceOf(StoreException.class)
                .hasMessageContaining("format 2 is unknown");
        byte[] badLength = blob.clone();
        badLength[9] = (byte) 0x80; // the first properties length, negative
        assertThatThrownBy(() -> TelemetryChunk.unpack(9, 2, "a", "h", badLength)).isInstanceOf(StoreException.class)
                .hasMessageContaining("bad length");
    }
}
