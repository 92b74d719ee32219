package dev.imprint.ca.station;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.ca.CaException;
import dev.imprint.ca.CaException.Reason;
import dev.imprint.store.JdbcStore;
import dev.imprint.store.StationRecord;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.time.Instant;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The station policy on a real SQLite store, without a CA: active, pattern, rate, quota and its leases. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StationPolicyTest {
    @TempDir
    static Path tmp;
    JdbcStore store;

    @BeforeAll
    void open() {
        store = JdbcStore.sqlite(tmp.resolve("stations.db"));
    }

    @AfterAll
    void close() {
        store.close();
    }

    private String station(String name, String pattern, long quota, int rate) {
        store.stations().create(new StationRecord(name, pattern, quota, rate, 0, null, false, Instant.now()));
        return name;
    }

    private static void refused(Executable call, Reason reason) {
        CaException e = Assertions.catchThrowableOfType(call::execute, CaException.class);
        assertThat(e).as("expected refusal " + reason).isNotNull();
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
    }

    @Test
    void unknown_and_revoked_stations_are_refused() {
        StationPolicy p = new StationPolicy(store.stations());
        refused(() -> p.requireActive("nobody"), Reason.STATION_UNKNOWN);
        refused(() -> p.requireIdAllowed("nobody", "dev-1"), Reason.STATION_UNKNOWN);
        refused(() -> p.takeRateToken("nobody"), Reason.STATION_UNKNOWN);
        refused(() -> p.reserveOne("nobody"), Reason.STATION_UNKNOWN);
        String s = station("active-1", "dev-[0-9]+", 0, 0);
        assertThat(p.requireActive(s).name()).isEqualTo(s);
        store.stations().revoke(s);
        p.invalidate(s);
        refused(() -> p.requireActive(s), Reason.STATION_REVOKED);
    }

    @Test
    void device_id_must_match_the_pattern_in_full() {
        StationPolicy p = new StationPolicy(store.stations());
        String s = station("pattern-1", "dev-[0-9]+", 0, 0);
        p.requireIdAllowed(s, "dev-12");
        refused(() -> p.requireIdAllowed(s, "dev-12x"), Reason.ID_NOT_ALLOWED);
        refused(() -> p.requireIdAllowed(s, "xdev-12"), Reason.ID_NOT_ALLOWED);
        refused(() -> p.requireIdAllowed(s, "other"), Reason.ID_NOT_ALLOWED);
    }

    @Test
    void rate_is_a_bucket_of_one_seconds_worth() {
        StationPolicy p = new StationPolicy(store.stations());
        String one = station("rate-1", ".*", 0, 1);
        p.takeRateToken(one);
        refused(() -> p.takeRateToken(one), Reason.RATE_EXCEEDED);
        String unlimited = station("rate-0", ".*", 0, 0);
        for (int i = 0; i < 1000; i++) {
            p.takeRateToken(unlimited);
        }
    }

    /** Issuances the policy admits at once, at most 1000. */
    private static int burst(StationPolicy p, String station) {
        int n = 0;
        while (n < 1000) {
            try {
                p.takeRateToken(station);
                n++;
            } catch (CaException e) {
                assertThat(e.reason()).isEqualTo(Reason.RATE_EXCEEDED);
                return n;
            }
        }
        return n;
    }

    /** The clock of the rate buckets of {@link #onNodes}' policies, moved by hand. */
    final AtomicLong nanos = new AtomicLong(5_000_000_000L);

    /** A policy on one of {@code caNodes} live CA nodes. */
    private StationPolicy onNodes(int caNodes) {
        return new StationPolicy(store.stations(), () -> caNodes, nanos::get);
    }

    @Test
    void with_two_live_ca_nodes_each_admits_half_of_a_stations_rate() {
        StationPolicy a = onNodes(2);
        StationPolicy b = onNodes(2);
        String s = station("shared-10", ".*", 0, 10);
        assertThat(burst(a, s)).isEqualTo(5);
        assertThat(burst(b, s)).as("the other node's half").isEqualTo(5);
        CaException e = Assertions.catchThrowableOfType(() -> a.takeRateToken(s), CaException.class);
        assertThat(e.getMessage()).contains("5.0 of 2 live CA nodes");
        nanos.addAndGet(1_000_000_000L);
        assertThat(burst(a, s) + burst(b, s)).as("10/s across both").isBetween(9, 10);
    }

    @Test
    void with_one_live_ca_node_it_admits_the_whole_rate() {
        StationPolicy p = onNodes(1);
        String s = station("whole-10", ".*", 0, 10);
        assertThat(burst(p, s)).isEqualTo(10);
        // the single-node constructor, as in 'imprint up': the same
        assertThat(burst(new StationPolicy(store.stations()), station("whole-7", ".*", 0, 7))).isEqualTo(7);
    }

    @Test
    void quota_counts_every_certificate_and_refuses_past_it() {
        StationPolicy p = new StationPolicy(store.stations());
        String small = station("quota-2", ".*", 2, 0);
        p.reserveOne(small);
        p.reserveOne(small);
        refused(() -> p.reserveOne(small), Reason.QUOTA_EXCEEDED);
        assertThat(store.stations().find(small).orElseThrow().issued()).isEqualTo(2);
        // a unit given back after a failed signing can be used again, once
        p.releaseOne(small);
        p.reserveOne(small);
        refused(() -> p.reserveOne(small), Reason.QUOTA_EXCEEDED);
    }

    @Test
    void leased_quota_is_returned_on_close() {
        StationPolicy p = new StationPolicy(store.stations());
        String s = station("quota-100", ".*", 100, 0);
        for (int i = 0; i < 3; i++) {
            p.reserveOne(s);
        }
        long leased = store.stations().find(s).orElseThrow().issued();
        assertThat(leased).isGreaterThanOrEqualTo(3).isLessThanOrEqualTo(64);
        p.close();
        assertThat(store.stations().find(s).orElseThrow().issued()).isEqualTo(3);
        // a lease never takes more than the quota: 100 of 100, then no more
        StationPolicy q = new StationPolicy(store.stations());
        for (int i = 3; i < 100; i++) {
            q.reserveOne(s);
        }
        refused(() -> q.reserveOne(s), Reason.QUOTA_EXCEEDED);
        q.close();
        assertThat(store.stations().find(s).orElseThrow().issued()).isEqualTo(100);
    }

    @Test
    void a_station_without_quota_leases_in_blocks() {
        StationPolicy p = new StationPolicy(store.stations());
        String s = station("unlimited", ".*", 0, 0);
        p.reserveOne(s);
        assertThat(store.stations().find(s).orElseThrow().issued()).isEqualTo(64);
        for (int i = 1; i < 64; i++) {
            p.reserveOne(s);
        }
        assertThat(store.stations().find(s).orElseThrow().issued()).isEqualTo(64);
        p.reserveOne(s); // the block ran out: the next one is leased (how large depends on how fast it ran out)
        assertThat(store.stations().find(s).orElseThrow().issued()).isEqualTo(128);
        p.close();
        assertThat(store.stations().find(s).orElseThrow().issued()).isEqualTo(65);
    }

    @Test
    void another_nodes_revocation_takes_effect_once_the_cache_time_is_over() throws InterruptedException {
        StationPolicy p = new StationPolicy(store.stations());
        String s = station("elsewhere-1", ".*", 0, 0);
        p.requireActive(s);
        // the record is cached for at most a second; let that pass (a TTL to expire, not a race to wait out)
        Thread.sleep(1_100);
        store.stations().revoke(s); // as another CA node would: this policy's cache is not told
        refused(() -> p.requireActive(s), Reason.STATION_REVOKED);
    }

    @Test
    void an_empty_bucket_refills_with_time() {
        StationPolicy p = onNodes(1);
        String s = station("refill-1000", ".*", 0, 1000);
        assertThat(burst(p, s)).isEqualTo(1000);
        refused(() -> p.takeRateToken(s), Reason.RATE_EXCEEDED);
        nanos.addAndGet(2_000_000L); // 2 ms at 1000/s
        p.takeRateToken(s);
    }
}
