package dev.imprint.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.store.CertificateRecord;
import dev.imprint.store.JdbcStore;
import dev.imprint.store.RegistrationEvent;
import dev.imprint.store.Store;
import dev.imprint.testkit.MovableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The overview's sampler on a real SQLite store and a real Micrometer registry, on a clock the test moves. */
class FleetSamplerTest {
    @TempDir
    Path tmp;
    Store store;
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    MovableClock clock = MovableClock.at(Instant.parse("2030-01-01T00:00:00Z"));
    FleetSampler sampler;

    @BeforeEach
    void open() {
        store = JdbcStore.sqlite(tmp.resolve("imprint.db"));
        sampler = new FleetSampler(store, meters, List.of("manufacturing", "operational"), clock, Duration.ofSeconds(5));
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    @Test
    void the_first_read_is_a_baseline_and_later_ones_count_what_happened_in_between() {
        meters.counter("imprint.hub.telemetry.accepted", "hub", "hub-1").increment(100);
        meters.counter("imprint.mqtt.refusals", "server", "hub-1", "packet", "CONNECT", "reason", "REVOKED").increment(3);
        registration("old", "assigned", null);
        assertThat(sampler.sample()).isEmpty();

        clock.advance(Duration.ofSeconds(5));
        store.sessions().claim("dev-1", "hub-1", "node-a", clock.instant()).join();
        store.sessions().claim("dev-2", "hub-2", "node-a", clock.instant()).join();
        meters.counter("imprint.hub.telemetry.accepted", "hub", "hub-1").increment(50);
        meters.counter("imprint.hub.telemetry.accepted", "hub", "hub-2").increment(10);
        meters.counter("imprint.mqtt.refusals", "server", "hub-1", "packet", "CONNECT", "reason", "REVOKED").increment(2);
        meters.counter("imprint.access.refusals", "code", "ROLE_FORBIDDEN", "surface", "console").increment();
        registration("dev-1", "assigned", null);
        registration("dev-2", "assigned", null);
        registration("dev-3", "failed", "CERT_REVOKED");
        revoke("0a");

        FleetSampler.Sample s = sampler.sample().orElseThrow();
        assertThat(s.seconds()).isEqualTo(5.0);
        assertThat(s.hubs()).isEqualTo(Map.of("hub-1", 1, "hub-2", 1));
        assertThat(s.nodes()).isEqualTo(Map.of("node-a", 2));
        assertThat(s.registrations()).isEqualTo(2);
        assertThat(s.telemetry()).isEqualTo(60);
        assertThat(s.refusals()).isEqualTo(Map.of("REVOKED", 2L, "ROLE_FORBIDDEN", 1L, "dps:CERT_REVOKED", 1L));
        assertThat(s.revocations()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(5));
        FleetSampler.Sample quiet = sampler.sample().orElseThrow();
        assertThat(quiet.registrations()).isZero();
        assertThat(quiet.telemetry()).isZero();
        assertThat(quiet.refusals()).isEmpty();
        assertThat(quiet.hubs()).isEqualTo(Map.of("hub-1", 1, "hub-2", 1));
    }

    @Test
    void a_late_page_gets_the_range_it_asks_for_from_the_fine_or_the_coarse_ring() {
        sampler.sample();
        List<FleetSampler.Sample> seen = new java.util.ArrayList<>();
        sampler.onSample(seen::add);
        // two hours of samples, one telemetry message each
        for (int i = 0; i < 2 * 720; i++) {
            clock.advance(Duration.ofSeconds(5));
            meters.counter("imprint.hub.telemetry.accepted", "hub", "hub-1").increment();
            sampler.sample();
        }
        assertThat(seen).hasSize(1440);
        List<FleetSampler.Sample> m15 = sampler.history(FleetSampler.Range.M15);
        assertThat(m15).hasSize(180);
        assertThat(m15.get(m15.size() - 1).at()).isEqualTo(clock.millis());
        assertThat(sampler.history(FleetSampler.Range.H1)).hasSize(720);
        List<FleetSampler.Sample> day = sampler.history(FleetSampler.Range.H24);
        // one-minute samples: 12 fine ones each, the counts summed
        assertThat(day).hasSize(120);
        assertThat(day).allSatisfy(s -> {
            assertThat(s.seconds()).isEqualTo(60.0);
            assertThat(s.telemetry()).isEqualTo(12);
        });
        assertThat(FleetSampler.Range.parse("nonsense")).isEqualTo(FleetSampler.Range.M15);
    }

    private void registration(String id, String status, String error) {
        store.deviceRegistry().recordEvent(new RegistrationEvent(0, id, clock.instant(), status, null, null, null, null, error, null));
    }

    private void revoke(String serial) {
        Instant t = clock.instant();
        store.certificates().insertAll(List.of(new CertificateRecord(serial, "manufacturing", "dev-r", "device", t, t.plusSeconds(3600),
                "fp-" + serial, "admin:test", t, new byte[] {1}, null, null)));
        store.certificates().revoke(serial, 1, clock.instant());
    }
}
