package dev.imprint.bench.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ArrivalsTest {
    @Test
    void payload_is_108_bytes_and_decodes_to_its_stamp() {
        byte[] body = LatencyPayload.encode(7, 123_456_789, 9_876_543_210L);

        assertThat(body).hasSize(LatencyPayload.SIZE);
        assertThat(LatencyPayload.decode(body)).isEqualTo(new LatencyPayload.Stamp(7, 123_456_789, 9_876_543_210L));
        assertThat(new String(body, StandardCharsets.US_ASCII)).startsWith("{\"e2e\":\"007\"").endsWith("\"}");
    }

    @Test
    void other_bodies_are_not_stamps() {
        byte[] flood = "{\"temperature\":21.5,\"humidity\":40,\"status\":\"ok\",\"seq\":1234567,\"note\":\"benchmark payload of about 100 bytes\"}"
                .getBytes(StandardCharsets.US_ASCII);

        assertThat(flood).hasSize(LatencyPayload.SIZE);
        assertThat(LatencyPayload.decode(flood)).isNull();
        assertThat(LatencyPayload.decode(new byte[3])).isNull();
    }

    @Test
    void percentiles_are_nearest_rank() {
        long[] values = new long[200];
        for (int i = 0; i < values.length; i++) {
            values[i] = (values.length - i) * 1_000L; // 200,000 down to 1,000: order does not matter
        }

        Latencies l = Latencies.of(values, 200);

        assertThat(l).isEqualTo(new Latencies(200, 100_000, 198_000, 200_000));
        assertThat(Latencies.of(new long[] {5}, 1)).isEqualTo(new Latencies(1, 5, 5, 5));
        assertThat(Latencies.of(new long[] {9, 1, 2}, 2)).isEqualTo(new Latencies(2, 1, 9, 9));
        assertThat(Latencies.of(new long[0], 0)).isEqualTo(Latencies.NONE);
    }

    @Test
    void counts_each_sequence_once_and_ignores_probes_other_runs_and_other_bodies() throws Exception {
        Arrivals a = new Arrivals(3);
        long sent = LatencyPayload.now();

        a.accept(LatencyPayload.encode(3, 0, sent));
        a.accept(LatencyPayload.encode(3, 1, sent));
        a.accept(LatencyPayload.encode(3, 1, sent));
        a.accept(LatencyPayload.encode(2, 2, sent));
        a.accept(LatencyPayload.encode(LatencyPayload.PROBE_RUN, 1, sent));
        a.accept("not a stamp".getBytes(StandardCharsets.US_ASCII));

        assertThat(a.distinct()).isEqualTo(2);
        assertThat(a.duplicates()).isEqualTo(1);
        assertThat(a.probes()).isEqualTo(1);
        assertThat(a.awaitProbe(0)).isTrue();
        assertThat(a.await(2, 0, 0)).isTrue();
        assertThat(a.await(3, 0, 0)).isFalse();
        Latencies l = a.latencies();
        assertThat(l.count()).isEqualTo(2);
        assertThat(l.p50Nanos()).isNotNegative().isLessThanOrEqualTo(l.maxNanos());
    }
}
