package dev.imprint.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The store contract, run against every dialect (Hono style: one suite, one subclass per
 * database). A subclass prepares a fresh database per test and opens stores on it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class StoreContractTest implements DpsStoreContract, AuditedWritesContract, SessionDirectoryContract, NodeStoreContract,
        DeviceEventsContract,
        OperatorStoreContract, SharedSecretsContract {
    protected static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    protected Store store;

    /** Prepares a fresh, empty database for the next test. */
    protected abstract void createDatabase() throws Exception;

    /** Opens a store on the current test's database; may be called several times (reopen, second node). */
    protected abstract Store open();

    /** A raw JDBC connection to the current test's database, for tampering. */
    protected abstract Connection rawConnection() throws SQLException;

    /** URL, user and password of the current test's database, for a child process. */
    protected abstract String[] jdbcCoordinates();

    @Override
    public Store store() {
        return store;
    }

    @Override
    public Store openAnother() {
        return open();
    }

    @Override
    public void tamper(String statement) throws SQLException {
        sql(statement);
    }

    @BeforeEach
    void openFreshStore() throws Exception {
        createDatabase();
        store = open();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    // ---- certificates -------------------------------------------------------------------

    @Test
    void records_and_finds_certificates() {
        CertificateRecord a = cert("0a01", "operational", "dev-1", NOW);
        CertificateRecord b = cert("0a02", "operational", "dev-1", NOW.plusSeconds(10));
        CertificateRecord c = cert("0a03", "manufacturing", "dev-2", NOW.plusSeconds(20));
        store.certificates().insertAll(List.of(a, b, c));

        CertificateRecord found = store.certificates().findBySerial("0a01").orElseThrow();
        assertThat(found).usingRecursiveComparison().isEqualTo(a);
        assertThat(store.certificates().findBySerial("ffff")).isEmpty();
        assertThat(serials(store.certificates().findByDevice("dev-1"))).containsExactly("0a02", "0a01");
        assertThat(serials(store.certificates().list(null, 10, 0))).containsExactly("0a03", "0a02", "0a01");
        assertThat(serials(store.certificates().list(null, 2, 1))).containsExactly("0a02", "0a01");
        assertThat(serials(store.certificates().list("dev-2", 10, 0))).containsExactly("0a03");
        assertThat(store.certificates().count()).isEqualTo(3);
    }

    @Test
    void find_live_skips_revoked_expired_and_other_kinds() {
        store.certificates().insertAll(List.of(
                cert("01", "operational", "dev-1", NOW.minus(Duration.ofDays(2)), NOW.minus(Duration.ofDays(1)), "device"),
                cert("02", "operational", "dev-1", NOW.minusSeconds(60), NOW.plus(Duration.ofDays(1)), "device"),
                cert("03", "operational", "dev-1", NOW.minusSeconds(30), NOW.plus(Duration.ofDays(1)), "device"),
                cert("04", "operational", "dev-1", NOW.minusSeconds(30), NOW.plus(Duration.ofDays(1)), "station"),
                cert("05", "operational", "dev-1", NOW.plusSeconds(60), NOW.plus(Duration.ofDays(1)), "device")));
        store.certificates().revoke("03", 1, NOW);

        assertThat(serials(store.certificates().findLive("dev-1", "device", NOW))).containsExactly("02");
        assertThat(serials(store.certificates().findLive("dev-1", "station", NOW))).containsExactly("04");
        assertThat(store.certificates().findLive("dev-9", "device", NOW)).isEmpty();

        assertThat(store.certificates().hasLive("dev-1", "device", NOW)).isTrue();
        assertThat(store.certificates().hasLive("dev-1", "station", NOW)).isTrue();
        assertThat(store.certificates().hasLive("dev-9", "device", NOW)).isFalse();
    }

    @Test
    void has_live_ignores_revoked_expired_and_not_yet_valid_certificates() {
        store.certificates().insertAll(List.of(
                cert("11", "operational", "dev-r", NOW.minusSeconds(60), NOW.plus(Duration.ofDays(1)), "device"),
                cert("12", "operational", "dev-e", NOW.minus(Duration.ofDays(2)), NOW.minus(Duration.ofDays(1)), "device"),
                cert("13", "operational", "dev-f", NOW.plusSeconds(60), NOW.plus(Duration.ofDays(1)), "device")));
        assertThat(store.certificates().hasLive("dev-r", "device", NOW)).isTrue();
        store.certificates().revoke("11", 1, NOW);

        assertThat(store.certificates().hasLive("dev-r", "device", NOW)).isFalse();
        assertThat(store.certificates().hasLive("dev-e", "device", NOW)).isFalse();
        assertThat(store.certificates().hasLive("dev-f", "device", NOW)).isFalse();
        assertThat(store.certificates().hasLive("dev-f", "device", NOW.plusSeconds(61))).isTrue();
    }

    @Test
    void duplicate_serial_fails_the_whole_batch_and_writes_nothing() {
        store.certificates().insertAll(List.of(cert("aa", "operational", "dev-1", NOW)));

        List<CertificateRecord> batch = List.of(
                cert("b1", "operational", "dev-2", NOW), cert("aa", "operational", "dev-3", NOW), cert("b2", "operational", "dev-4", NOW));
        assertThatThrownBy(() -> store.certificates().insertAll(batch)).isInstanceOf(DuplicateSerialException.class);
        assertThat(store.certificates().count()).isEqualTo(1);
        assertThat(store.certificates().findBySerial("b1")).isEmpty();
        assertThat(store.certificates().findBySerial("aa").orElseThrow().deviceId()).isEqualTo("dev-1");
    }

    @Test
    void duplicate_serial_inside_one_batch_fails_it() {
        List<CertificateRecord> batch = List.of(cert("c1", "operational", "dev-1", NOW), cert("c1", "operational", "dev-2", NOW));
        assertThatThrownBy(() -> store.certificates().insertAll(batch)).isInstanceOf(DuplicateSerialException.class);
        assertThat(store.certificates().count()).isZero();
        // the store stays usable after a failed batch
        store.certificates().insertAll(List.of(cert("c2", "operational", "dev-1", NOW)));
        assertThat(store.certificates().count()).isEqualTo(1);
    }

    @Test
    void rejects_incomplete_records_with_a_clear_error() {
        CertificateRecord noDer = new CertificateRecord("e1", "operational", "dev-1", "device", NOW, NOW.plusSeconds(1),
                "00", "admin", NOW, null, null, null);
        assertThatThrownBy(() -> store.certificates().insertAll(List.of(cert("e0", "operational", "dev-0", NOW), noDer)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("der");
        assertThat(store.certificates().count()).isZero();
    }

    // ---- revocation ---------------------------------------------------------------------

    @Test
    void revocation_is_idempotent_and_permanent() {
        store.certificates().insertAll(List.of(cert("r1", "operational", "dev-1", NOW)));

        RevokedEntry first = store.certificates().revoke("r1", 1, NOW).orElseThrow();
        RevokedEntry again = store.certificates().revoke("r1", 4, NOW.plusSeconds(100)).orElseThrow();

        assertThat(again).isEqualTo(first);
        assertThat(first.seq()).isEqualTo(1);
        CertificateRecord r = store.certificates().findBySerial("r1").orElseThrow();
        assertThat(r.revoked()).isTrue();
        assertThat(r.revokedAt()).isEqualTo(NOW);
        assertThat(r.revocationReason()).isEqualTo(1);
        assertThat(store.certificates().lastRevocationSeq("operational")).isEqualTo(1);
        assertThat(store.certificates().revoke("unknown", 1, NOW)).isEmpty();
    }

    @Test
    void rejects_reason_codes_outside_rfc_5280() {
        store.certificates().insertAll(List.of(cert("r1", "operational", "dev-1", NOW)));
        assertThatThrownBy(() -> store.certificates().revoke("r1", 7, NOW)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.certificates().revoke("r1", 11, NOW)).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.certificates().findBySerial("r1").orElseThrow().revoked()).isFalse();
    }

    @Test
    void revocation_seq_is_monotonic_per_ca() {
        List<CertificateRecord> certs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            certs.add(cert("%04x".formatted(i), i % 2 == 0 ? "operational" : "manufacturing", "dev-" + i, NOW));
        }
        store.certificates().insertAll(certs);
        List<Long> operational = new ArrayList<>();
        List<Long> manufacturing = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            long seq = store.certificates().revoke("%04x".formatted(i), 0, NOW).orElseThrow().seq();
            (i % 2 == 0 ? operational : manufacturing).add(seq);
        }
        assertThat(operational).containsExactly(1L, 2L, 3L);
        assertThat(manufacturing).containsExactly(1L, 2L, 3L);
        assertThat(store.certificates().lastRevocationSeq("operational")).isEqualTo(3);
        assertThat(store.certificates().lastRevocationSeq("service")).isZero();
    }

    @Test
    void concurrent_revocations_get_distinct_gap_free_seqs() throws Exception {
        int n = 200;
        List<CertificateRecord> certs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            certs.add(cert("%04x".formatted(i), "operational", "dev-" + i, NOW));
        }
        store.certificates().insertAll(certs);
        AtomicInteger next = new AtomicInteger();
        List<Long> seqs = Collections.synchronizedList(new ArrayList<>());
        race(8, () -> {
            for (int i; (i = next.getAndIncrement()) < n; ) {
                seqs.add(store.certificates().revoke("%04x".formatted(i), 1, NOW).orElseThrow().seq());
            }
            return null;
        });
        assertThat(seqs).hasSize(n).doesNotHaveDuplicates().allMatch(s -> s >= 1 && s <= n);
        assertThat(store.certificates().lastRevocationSeq("operational")).isEqualTo(n);
    }

    @Test
    void for_each_revoked_streams_entries_after_a_seq_in_order() {
        List<CertificateRecord> certs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            certs.add(cert("%04x".formatted(i), "operational", "dev-" + i, NOW));
        }
        certs.add(cert("ffff", "manufacturing", "dev-m", NOW));
        store.certificates().insertAll(certs);
        for (int i = 9; i >= 0; i--) {
            store.certificates().revoke("%04x".formatted(i), 1, NOW.plusSeconds(i));
        }
        store.certificates().revoke("ffff", 1, NOW);

        List<RevokedEntry> all = new ArrayList<>();
        store.certificates().forEachRevoked("operational", 0, all::add);
        assertThat(all).extracting(RevokedEntry::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(all.get(0)).isEqualTo(new RevokedEntry(1, "0009", NOW.plusSeconds(9), 1));

        List<RevokedEntry> delta = new ArrayList<>();
        store.certificates().forEachRevoked("operational", 7, delta::add);
        assertThat(delta).extracting(RevokedEntry::serialHex).containsExactly("0002", "0001", "0000");
    }

    @Test
    void prune_deletes_only_device_certificates_of_the_ca_expired_before_the_cutoff_in_batches() {
        Instant cutoff = NOW.minus(Duration.ofDays(30));
        Instant longAgo = cutoff.minus(Duration.ofDays(1));
        store.certificates().insertAll(List.of(
                cert("a1", "operational", "dev-1", longAgo.minus(Duration.ofDays(1)), longAgo, "device"),
                cert("a2", "operational", "dev-2", longAgo.minus(Duration.ofDays(1)), longAgo, "device"),
                cert("a3", "operational", "dev-3", longAgo.minus(Duration.ofDays(1)), longAgo, "device"),
                cert("b1", "operational", "dev-4", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(1)), "device"),
                cert("b2", "operational", "dev-5", cutoff.minus(Duration.ofDays(1)), cutoff.plusSeconds(1), "device"),
                cert("b3", "operational", "dev-6", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(1)), "device"),
                cert("c1", "operational", "line-1", longAgo.minus(Duration.ofDays(1)), longAgo, "station"),
                cert("c2", "operational", "alice", longAgo.minus(Duration.ofDays(1)), longAgo, "operator"),
                cert("c3", "manufacturing", "dev-7", longAgo.minus(Duration.ofDays(1)), longAgo, "device")));
        store.certificates().revoke("a2", 1, longAgo.minusSeconds(60));
        store.certificates().revoke("b3", 1, NOW);
        long lastSeq = store.certificates().lastRevocationSeq("operational");

        CertificateStore.Pruned first = store.certificates().pruneExpired("operational", cutoff, 2);
        CertificateStore.Pruned second = store.certificates().pruneExpired("operational", cutoff, 2);
        assertThat(first.rows()).isEqualTo(2);
        assertThat(second.rows()).isEqualTo(1);
        assertThat(first.revoked() + second.revoked()).isEqualTo(1); // which rows a batch takes is the database's choice
        assertThat(store.certificates().pruneExpired("operational", cutoff, 2)).isEqualTo(new CertificateStore.Pruned(0, 0));

        assertThat(serials(store.certificates().list(null, 100, 0))).containsExactlyInAnyOrder("b1", "b2", "b3", "c1", "c2", "c3");
        List<RevokedEntry> revoked = new ArrayList<>();
        store.certificates().forEachRevoked("operational", 0, revoked::add);
        assertThat(revoked).extracting(RevokedEntry::serialHex).containsExactly("b3");
        assertThat(store.certificates().lastRevocationSeq("operational")).isEqualTo(lastSeq);
        assertThat(store.certificates().revoke("a1", 1, NOW)).isEmpty();
        assertThatThrownBy(() -> store.certificates().pruneExpired("operational", cutoff, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Streams many revocations (20,000 by default; {@code -Dimprint.store.revokedRows=1000000}
     * for the full-size check). The bulk of the revocations is written with raw SQL, which is
     * much faster than one transaction per revocation.
     */
    @Test
    void for_each_revoked_streams_many_entries() throws SQLException {
        int n = Integer.getInteger("imprint.store.revokedRows", 20_000);
        for (int from = 0; from < n; from += 10_000) {
            List<CertificateRecord> batch = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + 10_000); i++) {
                batch.add(cert("%08x".formatted(i), "operational", Integer.toString(i + 1), NOW, 64));
            }
            store.certificates().insertAll(batch);
        }
        sql("UPDATE certificates SET revoked_at = " + NOW.toEpochMilli() + ", revocation_reason = 1,"
                + " revocation_seq = CAST(device_id AS BIGINT)");
        sql("INSERT INTO revocation_counters (ca, last_seq) VALUES ('operational', " + n + ")");
        store.certificates().insertAll(List.of(cert("ffffffff", "operational", "late", NOW)));
        assertThat(store.certificates().revoke("ffffffff", 1, NOW).orElseThrow().seq()).isEqualTo(n + 1);

        long[] count = {0};
        long[] last = {0};
        long start = System.nanoTime();
        store.certificates().forEachRevoked("operational", 0, e -> {
            if (e.seq() != last[0] + 1) {
                throw new AssertionError("seq " + e.seq() + " after " + last[0]);
            }
            last[0] = e.seq();
            count[0]++;
        });
        System.out.printf("[throughput] %s forEachRevoked: %d entries in %.0f ms%n",
                store.dialect(), count[0], (System.nanoTime() - start) / 1e6);
        assertThat(count[0]).isEqualTo(n + 1);
        List<RevokedEntry> tail = new ArrayList<>();
        store.certificates().forEachRevoked("operational", n - 1, tail::add);
        assertThat(tail).extracting(RevokedEntry::seq).containsExactly((long) n, n + 1L);
    }

    @Test
    void revokes_many_in_one_transaction_with_one_audit_entry() {
        for (String serial : List.of("a1", "a2", "a3")) {
            store.certificates().insertAll(List.of(cert(serial, "operational", "dev-" + serial, NOW.minusSeconds(60))));
        }
        store.certificates().revoke("a2", 4, NOW.minusSeconds(5));
        long before = store.certificates().lastRevocationSeq("operational");
        AuditLog.Entry audit = new AuditLog.Entry("cert.revoked", "admin:test", "batch", "{}");
        var done = store.certificates().revokeAll(List.of("a1", "a2", "nope", "a3"), 1, NOW, audit);
        assertThat(done).extracting(r -> r.entry().serialHex()).containsExactly("a1", "a2", "a3");
        assertThat(done).extracting(CertificateStore.Revocation::fresh).containsExactly(true, false, true);
        assertThat(done.get(1).entry().reason()).isEqualTo(4);
        assertThat(store.certificates().lastRevocationSeq("operational")).isEqualTo(before + 2);
        assertThat(store.audit().list(0, 100)).filteredOn(e -> e.subject().equals("batch")).hasSize(1);
        store.certificates().revokeAll(List.of("a1"), 1, NOW, audit);
        assertThat(store.audit().list(0, 100)).filteredOn(e -> e.subject().equals("batch")).hasSize(1);
        assertThat(store.audit().verify()).isEmpty();
    }

    // ---- CRL state ----------------------------------------------------------------------

    @Test
    void crl_number_is_monotonic_per_ca_and_survives_reopen() {
        assertThat(store.crls().nextCrlNumber("operational")).isEqualTo(1);
        assertThat(store.crls().nextCrlNumber("operational")).isEqualTo(2);
        assertThat(store.crls().nextCrlNumber("manufacturing")).isEqualTo(1);
        store.close();
        store = open();
        assertThat(store.crls().nextCrlNumber("operational")).isEqualTo(3);
    }

    @Test
    void concurrent_crl_numbers_are_distinct() throws Exception {
        List<Long> numbers = Collections.synchronizedList(new ArrayList<>());
        race(8, () -> {
            for (int i = 0; i < 25; i++) {
                numbers.add(store.crls().nextCrlNumber("operational"));
            }
            return null;
        });
        assertThat(numbers).hasSize(200).doesNotHaveDuplicates().allMatch(n -> n >= 1 && n <= 200);
    }

    @Test
    void publishes_crls_and_never_goes_back() {
        assertThat(store.crls().heads("operational")).isEqualTo(CrlStateStore.Heads.NONE);
        assertThat(store.crls().current("operational", CrlStateStore.Kind.FULL)).isEmpty();
        byte[] der5 = {5, 5};
        assertThat(store.crls().publish(full(5, 42, NOW), der5)).isTrue();
        assertThat(store.crls().publish(full(4, 40, NOW.minusSeconds(1)), new byte[] {4})).isFalse();

        CrlStateStore.Stored last = store.crls().current("operational", CrlStateStore.Kind.FULL).orElseThrow();
        assertThat(last.meta()).isEqualTo(full(5, 42, NOW));
        assertThat(last.der()).isEqualTo(der5);
        assertThat(store.crls().nextCrlNumber("operational")).isEqualTo(6);

        // a delta counts only against the current full CRL, and only forward
        assertThat(store.crls().publish(delta(7, 4, 43), new byte[] {7})).as("stale base").isFalse();
        assertThat(store.crls().publish(delta(7, 5, 43), new byte[] {7})).isTrue();
        assertThat(store.crls().publish(delta(6, 5, 43), new byte[] {6})).isFalse();
        CrlStateStore.Heads heads = store.crls().heads("operational");
        assertThat(heads.full().crlNumber()).isEqualTo(5);
        assertThat(heads.delta()).isEqualTo(delta(7, 5, 43));
        assertThat(store.crls().current("operational", CrlStateStore.Kind.DELTA).orElseThrow().der()).containsExactly(7);
        assertThat(store.crls().nextCrlNumber("operational")).isEqualTo(8);
    }

    @Test
    void crls_larger_than_a_chunk_come_back_byte_identical() throws SQLException {
        byte[] big = new byte[JdbcCrlStateStore.CHUNK * 2 + 12345];
        new java.util.Random(7).nextBytes(big);
        assertThat(store.crls().publish(full(1, 1, NOW), big)).isTrue();
        assertThat(store.crls().current("operational", CrlStateStore.Kind.FULL).orElseThrow().der()).isEqualTo(big);
        byte[] next = java.util.Arrays.copyOf(big, big.length - 1);
        assertThat(store.crls().publish(full(2, 2, NOW), next)).isTrue();
        assertThat(store.crls().current("operational", CrlStateStore.Kind.FULL).orElseThrow().der()).isEqualTo(next);
        // the older CRL's chunks are gone
        try (Connection c = rawConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT COUNT(*), MIN(crl_number) FROM crl_chunks")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(3);
            assertThat(rs.getLong(2)).isEqualTo(2);
        }
    }

    private static CrlStateStore.Published full(long number, long seq, Instant at) {
        return new CrlStateStore.Published("operational", CrlStateStore.Kind.FULL, number, 0, seq, at);
    }

    private static CrlStateStore.Published delta(long number, long base, long seq) {
        return new CrlStateStore.Published("operational", CrlStateStore.Kind.DELTA, number, base, seq, NOW);
    }

    // ---- console sessions ---------------------------------------------------------------

    @Test
    void a_console_link_is_taken_once_even_by_racing_callers() throws Exception {
        ConsoleSessionStore console = store.consoleSessions();
        console.saveLink("h1", new ConsoleSessionStore.Grant("admin:a", NOW.plusSeconds(300)));
        assertThat(console.liveLinks(NOW)).isEqualTo(1);
        List<Boolean> won = Collections.synchronizedList(new ArrayList<>());
        race(8, () -> {
            won.add(console.takeLink("h1").isPresent());
            return null;
        });
        assertThat(won).containsOnlyOnce(true).hasSize(8);
        assertThat(console.takeLink("h1")).isEmpty();
    }

    @Test
    void console_sessions_are_kept_until_ended_or_purged() {
        ConsoleSessionStore console = store.consoleSessions();
        console.saveSession("s1", new ConsoleSessionStore.Grant("admin:a", NOW.plusSeconds(10)));
        console.saveSession("s2", new ConsoleSessionStore.Grant("admin:b", NOW.plusSeconds(100)));
        console.saveLink("l1", new ConsoleSessionStore.Grant("admin:a", NOW.plusSeconds(10)));
        assertThat(console.findSession("s1")).contains(new ConsoleSessionStore.Grant("admin:a", NOW.plusSeconds(10)));
        assertThat(console.purgeExpired(NOW.plusSeconds(10))).isEqualTo(2);
        assertThat(console.findSession("s1")).isEmpty();
        assertThat(console.findSession("s2")).isPresent();
        console.endSession("s2");
        assertThat(console.findSession("s2")).isEmpty();
    }

    // ---- stations -----------------------------------------------------------------------

    @Test
    void creates_finds_lists_and_revokes_stations() {
        StationRecord line1 = station("line-1", 100);
        store.stations().create(line1);
        store.stations().create(station("line-0", 0));

        assertThat(store.stations().find("line-1")).contains(line1);
        assertThat(store.stations().find("nope")).isEmpty();
        assertThat(store.stations().list()).extracting(StationRecord::name).containsExactly("line-0", "line-1");
        assertThatThrownBy(() -> store.stations().create(station("line-1", 5))).isInstanceOf(StoreException.class);

        assertThat(store.stations().revoke("line-1")).isTrue();
        assertThat(store.stations().revoke("nope")).isFalse();
        assertThat(store.stations().find("line-1").orElseThrow().revoked()).isTrue();
    }

    @Test
    void reservation_respects_quota_and_release_gives_back() {
        store.stations().create(station("line-1", 10));
        assertThat(store.stations().reserve("line-1", 7)).isTrue();
        assertThat(store.stations().reserve("line-1", 4)).isFalse();
        assertThat(store.stations().reserve("line-1", 3)).isTrue();
        assertThat(store.stations().reserve("line-1", 1)).isFalse();
        store.stations().release("line-1", 2);
        assertThat(store.stations().find("line-1").orElseThrow().issued()).isEqualTo(8);
        assertThat(store.stations().reserve("line-1", 2)).isTrue();
        assertThat(store.stations().reserve("unknown", 1)).isFalse();
    }

    @Test
    void zero_quota_means_unlimited() {
        store.stations().create(station("line-0", 0));
        assertThat(store.stations().reserve("line-0", 1_000_000)).isTrue();
        assertThat(store.stations().find("line-0").orElseThrow().issued()).isEqualTo(1_000_000);
    }

    @Test
    void concurrent_reservations_never_exceed_quota() throws Exception {
        store.stations().create(station("line-1", 100));
        AtomicInteger granted = new AtomicInteger();
        race(8, () -> {
            for (int i = 0; i < 40; i++) {
                if (store.stations().reserve("line-1", 1)) {
                    granted.incrementAndGet();
                }
            }
            return null;
        });
        assertThat(granted).hasValue(100);
        assertThat(store.stations().find("line-1").orElseThrow().issued()).isEqualTo(100);
    }

    // ---- audit --------------------------------------------------------------------------

    @Test
    void audit_chain_appends_lists_and_verifies() {
        AuditEvent first = store.audit().append("cert.issued", "station:line-1", "0a01", "{\"device\":\"dev-1\"}");
        AuditEvent second = store.audit().append("station.created", "admin:alice", "line-1", null);
        List<AuditEvent> batch = store.audit().appendAll(List.of(
                new AuditLog.Entry("cert.issued", "station:line-1", "0a02", "{}"),
                new AuditLog.Entry("cert.revoked", "admin:alice", "0a01", "{\"reason\":1}")));

        assertThat(first.seq()).isEqualTo(1);
        assertThat(first.prevHash()).isEmpty();
        assertThat(second.prevHash()).isEqualTo(first.hash());
        assertThat(batch).extracting(AuditEvent::seq).containsExactly(3L, 4L);
        assertThat(batch.get(0).prevHash()).isEqualTo(second.hash());
        assertThat(store.audit().list(0, 10)).containsExactly(first, second, batch.get(0), batch.get(1));
        assertThat(store.audit().list(2, 1)).containsExactly(batch.get(0));
        assertThat(store.audit().verify()).isEmpty();
    }

    @Test
    void empty_audit_chain_verifies() {
        assertThat(store.audit().verify()).isEmpty();
    }

    @Test
    void audit_verify_names_an_edited_entry() throws Exception {
        appendAudit(5);
        sql("UPDATE audit_log SET details = '{\"device\":\"evil\"}' WHERE seq = 3");
        assertBreakAt(3, "edited");
    }

    @Test
    void audit_verify_names_an_entry_rewritten_with_a_fresh_hash() throws Exception {
        appendAudit(5);
        sql("UPDATE audit_log SET actor = 'admin:mallory', hash = '" + "0".repeat(64) + "' WHERE seq = 2");
        // the forged hash no longer matches the content of 2
        assertBreakAt(2, "edited");
    }

    @Test
    void audit_verify_names_a_deleted_entry() throws Exception {
        appendAudit(5);
        sql("DELETE FROM audit_log WHERE seq = 2");
        assertBreakAt(2, "missing");
    }

    @Test
    void audit_verify_names_entries_deleted_from_the_end() throws Exception {
        appendAudit(5);
        sql("DELETE FROM audit_log WHERE seq >= 4");
        assertBreakAt(4, "missing");
    }

    @Test
    void audit_verify_names_reordered_entries() throws Exception {
        appendAudit(5);
        // swap the contents of entries 2 and 3, keeping their positions
        sql("UPDATE audit_log SET seq = -2 WHERE seq = 2");
        sql("UPDATE audit_log SET seq = 2 WHERE seq = 3");
        sql("UPDATE audit_log SET seq = 3 WHERE seq = -2");
        assertThat(store.audit().verify()).map(AuditLog.AuditBreak::seq).contains(2L);
    }

    @Test
    void concurrent_audit_appends_form_one_linear_chain() throws Exception {
        race(8, () -> {
            for (int i = 0; i < 25; i++) {
                store.audit().append("cert.issued", "station:" + Thread.currentThread().getName(), "s" + i, "{}");
            }
            return null;
        });
        assertLinearChain(200);
    }

    @Test
    void two_store_instances_on_one_database_share_one_chain() throws Exception {
        try (Store second = open()) {
            race(4, () -> {
                Store s = ThreadLocalRandom.current().nextBoolean() ? store : second;
                for (int i = 0; i < 25; i++) {
                    s.audit().append("cert.issued", "node", "s" + i, "{}");
                    s = s == store ? second : store;
                }
                return null;
            });
        }
        assertLinearChain(100);
    }

    // ---- durability ---------------------------------------------------------------------

    @Test
    void data_survives_close_and_reopen() {
        store.certificates().insertAll(List.of(cert("d1", "operational", "dev-1", NOW)));
        store.certificates().revoke("d1", 1, NOW);
        store.stations().create(station("line-1", 5));
        store.stations().reserve("line-1", 2);
        store.audit().append("cert.issued", "system", "d1", "{}");
        store.crls().nextCrlNumber("operational");
        store.close();

        store = open();
        assertThat(store.certificates().findBySerial("d1").orElseThrow().revoked()).isTrue();
        assertThat(store.certificates().lastRevocationSeq("operational")).isEqualTo(1);
        assertThat(store.stations().find("line-1").orElseThrow().issued()).isEqualTo(2);
        assertThat(store.audit().list(0, 10)).hasSize(1);
        assertThat(store.audit().verify()).isEmpty();
        assertThat(store.crls().nextCrlNumber("operational")).isEqualTo(2);
    }

    // ---- throughput (reported, not timed) -----------------------------------------------

    /**
     * Records batches of 256 certificates with ~600-byte DER and prints rows/s. Not a timed
     * test: it asserts only that everything was written. More rows with
     * {@code -Dimprint.store.throughputRows=N}.
     */
    @Test
    void reports_insert_throughput_in_batches_of_256() {
        int batchSize = 256;
        int rows = Integer.getInteger("imprint.store.throughputRows", 25_600);
        List<List<CertificateRecord>> batches = new ArrayList<>();
        for (int b = 0; b < rows / batchSize; b++) {
            List<CertificateRecord> batch = new ArrayList<>(batchSize);
            for (int i = 0; i < batchSize; i++) {
                batch.add(cert("%040x".formatted((long) b * batchSize + i), "operational", "dev-" + b + "-" + i, NOW));
            }
            batches.add(batch);
        }
        long start = System.nanoTime();
        for (List<CertificateRecord> batch : batches) {
            store.certificates().insertAll(batch);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long written = (long) batches.size() * batchSize;
        System.out.printf("[throughput] %s insertAll: %d rows in %d batches of %d: %.0f rows/s%n",
                store.dialect(), written, batches.size(), batchSize, written / seconds);
        assertThat(store.certificates().count()).isEqualTo(written);
    }

    @Test
    void acknowledged_batches_survive_kill_9() throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrashWriter.class.getName()));
        command.addAll(List.of(jdbcCoordinates()));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int lastBatch = -1;
        long lastCrl = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String line;
            while (lastBatch < 30 && System.nanoTime() < deadline && (line = out.readLine()) != null) {
                String[] parts = line.split(" ");
                lastBatch = Integer.parseInt(parts[1]);
                lastCrl = Long.parseLong(parts[2]);
            }
            child.destroyForcibly(); // SIGKILL, mid-stream
            child.waitFor(10, TimeUnit.SECONDS);
        } finally {
            child.destroyForcibly();
        }
        assertThat(lastBatch).as("batches acknowledged by the child before the kill").isGreaterThanOrEqualTo(30);

        store.close();
        store = open();
        for (int b = 0; b <= lastBatch; b++) {
            for (int i = 0; i < 64; i += 21) {
                assertThat(store.certificates().findBySerial("%08x%04x".formatted(b, i))).as("batch %d", b).isPresent();
            }
        }
        long recorded = store.certificates().count();
        assertThat(recorded % 64).as("no partial batch").isZero();
        assertThat(store.audit().verify()).isEmpty();
        // one audit entry per recorded batch: none without its certificates, none missing
        List<AuditEvent> audit = store.audit().list(0, Integer.MAX_VALUE);
        assertThat(audit).hasSize((int) (recorded / 64)).hasSizeGreaterThanOrEqualTo(lastBatch + 1);
        for (AuditEvent e : audit) {
            assertThat(store.certificates().findBySerial(e.subject() + "0000")).as("batch of entry %d", e.seq()).isPresent();
        }
        assertThat(store.crls().nextCrlNumber("operational")).isGreaterThan(lastCrl);
    }

    // ---- helpers ------------------------------------------------------------------------

    protected static CertificateRecord cert(String serial, String ca, String device, Instant issuedAt) {
        return cert(serial, ca, device, issuedAt, 600);
    }

    protected static CertificateRecord cert(String serial, String ca, String device, Instant issuedAt, int derSize) {
        byte[] der = new byte[derSize];
        ThreadLocalRandom.current().nextBytes(der);
        return new CertificateRecord(serial, ca, device, "device", issuedAt.minusSeconds(60),
                issuedAt.plus(Duration.ofDays(30)), HexFormat.of().formatHex(der, 0, 32), "station:line-1", issuedAt, der,
                null, null);
    }

    private static CertificateRecord cert(String serial, String ca, String device, Instant notBefore, Instant notAfter, String kind) {
        byte[] der = new byte[100];
        ThreadLocalRandom.current().nextBytes(der);
        return new CertificateRecord(serial, ca, device, kind, notBefore, notAfter, "00", "admin", notBefore, der, null, null);
    }

    private static StationRecord station(String name, long quota) {
        return new StationRecord(name, "dev-[0-9]+", quota, 50, 0, "5e01", false, NOW.truncatedTo(ChronoUnit.MILLIS));
    }

    private static List<String> serials(List<CertificateRecord> records) {
        return records.stream().map(CertificateRecord::serialHex).toList();
    }

    private void appendAudit(int n) {
        for (int i = 1; i <= n; i++) {
            store.audit().append("cert.issued", "station:line-1", "serial-" + i, "{\"n\":" + i + "}");
        }
        assertThat(store.audit().verify()).isEmpty();
    }

    private void assertBreakAt(long seq, String why) {
        Optional<AuditLog.AuditBreak> broken = store.audit().verify();
        assertThat(broken).isPresent();
        assertThat(broken.get().seq()).isEqualTo(seq);
        assertThat(broken.get().why()).contains(why);
    }

    private void assertLinearChain(int n) {
        List<AuditEvent> events = store.audit().list(0, n + 10);
        assertThat(events).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(events.get(i).seq()).isEqualTo(i + 1);
            assertThat(events.get(i).prevHash()).isEqualTo(i == 0 ? "" : events.get(i - 1).hash());
        }
        assertThat(store.audit().verify()).isEmpty();
    }

    protected void sql(String statement) throws SQLException {
        try (Connection c = rawConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    protected static void race(int threads, Callable<Void> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(task));
            }
            for (Future<Void> f : futures) {
                f.get(50, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
