package dev.imprint.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The hub tables' contract (migration V4), mixed into every dialect's store test. */
interface HubStoreContract {
    Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    /** The store under test. */
    Store hubStore();

    @Test
    default void telemetry_is_read_newest_first_and_pruned_by_age_and_count() {
        TelemetryStore t = hubStore().telemetry();
        List<TelemetryRecord> batch = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            batch.add(new TelemetryRecord(0, i % 2 == 0 ? "dev-a" : "dev-b", "hub-1", T0.plusSeconds(i), "{\"i\":\"" + i + "\"}",
                    ("m" + i).getBytes(StandardCharsets.UTF_8)));
        }
        batch.forEach(r -> t.appendAll(List.of(r))); // one batch each: within a batch seq follows device order
        List<TelemetryRecord> a = t.recent("dev-a", 3);
        assertThat(a).extracting(r -> new String(r.body(), StandardCharsets.UTF_8)).containsExactly("m8", "m6", "m4");
        assertThat(a.get(0).properties()).isEqualTo("{\"i\":\"8\"}");
        // in steps: at most limit rows per rule and call, the oldest first
        assertThat(t.prune(T0.plusSeconds(2), 1_000, 1)).isEqualTo(1);
        assertThat(t.recent("dev-a", 10)).extracting(r -> new String(r.body(), StandardCharsets.UTF_8)).doesNotContain("m0").contains("m2");
        assertThat(t.prune(T0.plusSeconds(2), 1_000)).isEqualTo(1);
        assertThat(t.prune(T0, 3, 2)).isEqualTo(2);
        assertThat(t.prune(T0, 3)).isEqualTo(3);
        assertThat(t.prune(T0, 3)).isZero();
        assertThat(t.recent("dev-a", 10)).hasSize(1);
        assertThat(t.recent("dev-b", 10)).hasSize(2);
        // by age in arrival order: a row older than a newer one before it (the hub's clock stepped back) waits for it
        assertThat(t.prune(T0, 0)).isEqualTo(3);
        for (int s : new int[] {5, 1, 6}) { // a batch each: one batch of a device is stored, and aged, as one run
            t.appendAll(List.of(new TelemetryRecord(0, "dev-a", "hub-1", T0.plusSeconds(s), "{}", new byte[] {(byte) s})));
        }
        assertThat(t.prune(T0.plusSeconds(3), 1_000)).isZero();
        assertThat(t.prune(T0.plusMillis(5_500), 1_000)).isEqualTo(2);
        assertThat(t.recent("dev-a", 10)).extracting(r -> r.body()[0]).containsExactly((byte) 6);
    }

    /**
     * A batch larger than SQLite's largest multi-row INSERT and cut by a change of hub: every row
     * back in order with its own device, hub, time, properties and exact body bytes.
     */
    @Test
    default void a_large_batch_keeps_every_row_and_column_in_order() {
        TelemetryStore t = hubStore().telemetry();
        List<TelemetryRecord> batch = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String props = i % 3 == 0 ? "{}" : "{\"unit\":\"\u00b0C\",\"i\":\"" + i + "\",\"emoji\":\"\ud83d\ude00\"}";
            byte[] body = {(byte) i, 0, (byte) 0xff, (byte) 0xc3, (byte) (i >> 8)}; // not UTF-8, with a NUL: stored as bytes
            batch.add(new TelemetryRecord(0, "dev-" + (i % 7), i == 270 || i == 271 ? "hub-2" : "hub-1", T0.plusMillis(i), props, body));
        }
        t.appendAll(batch);
        for (int d = 0; d < 7; d++) {
            List<TelemetryRecord> read = t.recent("dev-" + d, 1_000);
            List<TelemetryRecord> expected = new ArrayList<>();
            for (TelemetryRecord r : batch) {
                if (r.deviceId().equals("dev-" + d)) {
                    expected.add(0, r);
                }
            }
            assertThat(read).hasSameSizeAs(expected);
            for (int k = 0; k < read.size(); k++) {
                TelemetryRecord got = read.get(k);
                TelemetryRecord want = expected.get(k);
                assertThat(got.deviceId()).isEqualTo(want.deviceId());
                assertThat(got.hub()).isEqualTo(want.hub());
                assertThat(got.receivedAt()).isEqualTo(want.receivedAt());
                assertThat(got.properties()).isEqualTo(want.properties());
                assertThat(got.body()).containsExactly(want.body());
                if (k > 0) {
                    assertThat(got.seq()).isLessThan(read.get(k - 1).seq());
                }
            }
        }
    }

    /**
     * Several runs per device in one batch (more messages than a stored run holds): read back
     * across runs, newest first, numbered in order; retention takes whole runs, the oldest first,
     * and keeps every run holding one of the newest messages.
     */
    @Test
    default void runs_of_many_messages_are_read_across_and_pruned_whole() {
        TelemetryStore t = hubStore().telemetry();
        int perDevice = 600; // runs of 256, 256 and 88
        List<TelemetryRecord> batch = new ArrayList<>();
        for (int i = 0; i < perDevice * 2; i++) {
            batch.add(new TelemetryRecord(0, i % 2 == 0 ? "dev-a" : "dev-b", "hub-1", T0.plusMillis(i), i % 5 == 0 ? "{\"k\":\"" + i + "\"}" : "{}",
                    Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
        }
        t.appendAll(batch);
        List<TelemetryRecord> a = t.recent("dev-a", 1_000);
        assertThat(a).hasSize(perDevice);
        for (int k = 0; k < a.size(); k++) {
            int i = 2 * (perDevice - 1 - k);
            assertThat(new String(a.get(k).body(), StandardCharsets.UTF_8)).isEqualTo(Integer.toString(i));
            assertThat(a.get(k).receivedAt()).isEqualTo(T0.plusMillis(i));
            assertThat(a.get(k).properties()).isEqualTo(i % 5 == 0 ? "{\"k\":\"" + i + "\"}" : "{}");
            if (k > 0) {
                assertThat(a.get(k).seq()).isEqualTo(a.get(k - 1).seq() - 1); // one writer: consecutive
            }
        }
        assertThat(t.recent("dev-b", 300)).hasSize(300).first().extracting(r -> new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("1199");
        assertThat(t.recent("dev-b", 1)).extracting(TelemetryRecord::seq).containsExactly(t.recent("dev-b", 300).get(0).seq());

        // the cap: dev-a's 600 are numbered before dev-b's; the newest 100 (dev-b's last run of 88
        // and 12 of its middle run) keep those two runs
        assertThat(t.prune(T0, 100, 300)).isEqualTo(512); // dev-a's first two runs, then its limit is reached
        assertThat(t.prune(T0, 100)).isEqualTo(88 + 256);
        assertThat(t.recent("dev-a", 1_000)).isEmpty();
        assertThat(t.recent("dev-b", 1_000)).hasSize(256 + 88);
        assertThat(t.prune(T0, 100)).isZero();
        // by age: a run is old once its newest message is
        assertThat(t.prune(T0.plusMillis(2 * 511 + 1), 1_000)).isZero();
        assertThat(t.prune(T0.plusMillis(2 * 511 + 2), 1_000)).isEqualTo(256);
        assertThat(t.recent("dev-b", 1_000)).hasSize(88);
        // numbering goes on past what was deleted
        long last = t.recent("dev-b", 1).get(0).seq();
        t.appendAll(List.of(new TelemetryRecord(0, "dev-a", "hub-1", T0, "{}", new byte[0])));
        assertThat(t.recent("dev-a", 1).get(0).seq()).isGreaterThan(last);
        assertThat(t.recent("dev-a", 1).get(0).body()).isEmpty();
    }

    /** The coordinates (JDBC URL, user, password) of a new, empty database of this dialect. */
    String[] emptyDatabase() throws Exception;

    /** Telemetry stored before V17 (a row per message) is read back whole after the upgrade, and numbering goes on after it. */
    @Test
    default void telemetry_stored_before_runs_is_read_after_the_upgrade() throws Exception {
        String[] db = emptyDatabase();
        String dialect = db[0].startsWith("jdbc:sqlite:") ? "sqlite" : "postgresql";
        org.flywaydb.core.Flyway.configure().dataSource(db[0], db[1], db[2]).locations("classpath:db/migration/" + dialect)
                .target("16").load().migrate();
        String props = "{\"unit\":\"\u00b0C\",\"emoji\":\"\ud83d\ude00\"}";
        byte[] body = {0, (byte) 0xff, (byte) 0xc3, 7};
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(db[0], db[1], db[2]);
                java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO hub_telemetry (device_id, hub, received_at, properties, body) VALUES (?, ?, ?, ?, ?)")) {
            for (int i = 0; i < 4; i++) {
                ps.setString(1, i == 2 ? "dev-b" : "dev-a");
                ps.setString(2, "hub-" + i);
                ps.setLong(3, T0.plusSeconds(i).toEpochMilli());
                ps.setString(4, i == 1 ? props : "{}");
                ps.setBytes(5, i == 1 ? body : new byte[] {(byte) i});
                ps.executeUpdate();
            }
            c.createStatement().executeUpdate("DELETE FROM hub_telemetry WHERE received_at = " + T0.plusSeconds(3).toEpochMilli());
        }
        try (Store upgraded = JdbcStore.open(db[0], db[1], db[2])) {
            TelemetryStore t = upgraded.telemetry();
            List<TelemetryRecord> a = t.recent("dev-a", 10);
            assertThat(a).extracting(TelemetryRecord::hub).containsExactly("hub-1", "hub-0");
            assertThat(a.get(0).properties()).isEqualTo(props);
            assertThat(a.get(0).body()).containsExactly(body);
            assertThat(a.get(0).receivedAt()).isEqualTo(T0.plusSeconds(1));
            assertThat(a.get(1).body()).containsExactly(0);
            assertThat(a.get(1).properties()).isEqualTo("{}");
            assertThat(t.recent("dev-b", 10)).extracting(TelemetryRecord::seq).containsExactly(3L);
            t.appendAll(List.of(new TelemetryRecord(0, "dev-a", "hub-0", T0, "{}", new byte[] {9})));
            assertThat(t.recent("dev-a", 1).get(0).seq()).isGreaterThan(3);
        }
    }

    @Test
    default void c2d_messages_wait_in_order_until_completed_or_expired() {
        C2dQueue q = hubStore().cloudToDevice();
        C2dMessage m1 = q.enqueue(new C2dMessage(0, "dev-a", "m1", "{}", new byte[] {1}, T0, T0.plusSeconds(60)));
        C2dMessage m2 = q.enqueue(new C2dMessage(0, "dev-a", "m2", "{\"k\":\"v\"}", new byte[] {2}, T0, T0.plusSeconds(5)));
        assertThat(m2.seq()).isGreaterThan(m1.seq());
        assertThat(q.pending("dev-a", T0, 10)).extracting(C2dMessage::messageId).containsExactly("m1", "m2");
        assertThat(q.pending("dev-a", T0.plusSeconds(10), 10)).extracting(C2dMessage::messageId).containsExactly("m1");
        assertThat(q.complete(m1.seq())).isTrue();
        assertThat(q.complete(m1.seq())).isFalse();
        assertThat(q.expire(T0.plusSeconds(10))).isEqualTo(1);
        assertThat(q.pending("dev-a", T0, 10)).isEmpty();
    }

    @Test
    default void twin_patches_merge_and_bump_their_own_version() throws Exception {
        TwinStore twins = hubStore().twins();
        assertThat(twins.get("dev-a")).isEqualTo(TwinRecord.empty("dev-a"));
        TwinRecord t = twins.patchDesired("dev-a", "{\"rate\":5,\"cfg\":{\"a\":1,\"b\":2}}");
        assertThat(t.desiredVersion()).isEqualTo(2);
        t = twins.patchDesired("dev-a", "{\"cfg\":{\"b\":null,\"c\":3},\"$version\":99}");
        t = twins.patchReported("dev-a", "{\"fw\":\"1.2\"}");
        assertThat(t.desiredVersion()).isEqualTo(3);
        assertThat(t.reportedVersion()).isEqualTo(2);
        TwinRecord read = twins.get("dev-a");
        ObjectMapper json = new ObjectMapper();
        assertThat(json.readTree(read.desired())).isEqualTo(json.readTree("{\"rate\":5,\"cfg\":{\"a\":1,\"c\":3}}"));
        assertThat(json.readTree(read.reported())).isEqualTo(json.readTree("{\"fw\":\"1.2\"}"));
        assertThatThrownBy(() -> twins.patchReported("dev-a", "[1]")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    default void presence_follows_the_latest_hub() {
        PresenceStore p = hubStore().presence();
        p.connected("dev-a", "hub-1", T0);
        p.connected("dev-a", "hub-2", T0.plusSeconds(1));
        p.disconnected("dev-a", "hub-1", T0.plusSeconds(2));
        assertThat(p.find("dev-a")).get().satisfies(r -> {
            assertThat(r.hub()).isEqualTo("hub-2");
            assertThat(r.connected()).isTrue();
        });
        p.seen(Set.of("dev-a"), T0.plus(Duration.ofMinutes(1)));
        p.hubReset("hub-2", T0.plus(Duration.ofMinutes(2)));
        assertThat(p.find("dev-a")).get().satisfies(r -> {
            assertThat(r.connected()).isFalse();
            assertThat(r.lastSeen()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
        });
        assertThat(p.find("nobody")).isEmpty();
    }
}
