package dev.imprint.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.store.JdbcStore;
import dev.imprint.testkit.MovableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Console logins on a real SQLite store; two {@link ConsoleSessions} on one store stand for two admin nodes. */
class ConsoleSessionsTest {
    @TempDir
    Path tmp;
    final MovableClock clock = MovableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    JdbcStore store;
    JdbcStore otherStore;
    ConsoleSessions sessions;
    /** Another admin node: its own store connection to the same database. */
    ConsoleSessions otherNode;

    @BeforeEach
    void open() {
        store = JdbcStore.sqlite(tmp.resolve("imprint.db"));
        otherStore = JdbcStore.sqlite(tmp.resolve("imprint.db"));
        sessions = new ConsoleSessions(store.consoleSessions(), clock);
        otherNode = new ConsoleSessions(otherStore.consoleSessions(), clock);
    }

    @AfterEach
    void close() {
        store.close();
        otherStore.close();
    }

    @Test
    void link_gives_a_session_once() {
        String token = sessions.newLoginToken("admin:a");
        ConsoleSessions.Login first = sessions.redeem(token);
        assertThat(first.session()).isNotNull();
        assertThat(first.session().actor()).isEqualTo("admin:a");
        assertThat(first.session().id()).hasSize(43); // 256 bits, base64url
        assertThat(first.session().csrf()).isNotEqualTo(first.session().id());
        assertThat(sessions.redeem(token).refusal()).isEqualTo(ConsoleSessions.Refusal.LOGIN_LINK_INVALID);
        assertThat(sessions.find(first.session().id())).contains(first.session());
    }

    @Test
    void link_minted_on_one_node_logs_in_on_another_and_the_session_works_on_both() {
        String token = sessions.newLoginToken("admin:a");
        ConsoleSessions.Session s = otherNode.redeem(token).session();
        assertThat(s).isNotNull();
        assertThat(sessions.find(s.id())).contains(s);
        assertThat(otherNode.find(s.id())).contains(s);
        assertThat(sessions.redeem(token).refusal()).isEqualTo(ConsoleSessions.Refusal.LOGIN_LINK_INVALID);
        sessions.end(s.id());
        assertThat(otherNode.find(s.id())).isEmpty();
    }

    @Test
    void a_link_redeemed_at_once_on_two_nodes_logs_in_exactly_once() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                String token = sessions.newLoginToken("admin:a");
                CyclicBarrier start = new CyclicBarrier(2);
                List<Future<ConsoleSessions.Login>> logins = new ArrayList<>();
                for (ConsoleSessions node : List.of(sessions, otherNode)) {
                    logins.add(pool.submit(() -> {
                        start.await(5, TimeUnit.SECONDS);
                        return node.redeem(token);
                    }));
                }
                List<ConsoleSessions.Login> results = new ArrayList<>();
                for (Future<ConsoleSessions.Login> f : logins) {
                    results.add(f.get(10, TimeUnit.SECONDS));
                }
                assertThat(results).filteredOn(l -> l.session() != null).hasSize(1);
                assertThat(results).filteredOn(l -> l.session() == null)
                        .extracting(ConsoleSessions.Login::refusal).containsExactly(ConsoleSessions.Refusal.LOGIN_LINK_INVALID);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void a_session_survives_a_restart() {
        ConsoleSessions.Session s = sessions.redeem(sessions.newLoginToken("admin:a")).session();
        store.close();
        otherStore.close();
        store = JdbcStore.sqlite(tmp.resolve("imprint.db"));
        otherStore = JdbcStore.sqlite(tmp.resolve("imprint.db"));
        ConsoleSessions restarted = new ConsoleSessions(store.consoleSessions(), clock);
        assertThat(restarted.find(s.id())).contains(s);
    }

    @Test
    void rejects_link_after_five_minutes_on_any_node() {
        String token = sessions.newLoginToken("admin:a");
        clock.advance(Duration.ofMinutes(5));
        assertThat(otherNode.redeem(token).refusal()).isEqualTo(ConsoleSessions.Refusal.LOGIN_LINK_EXPIRED);
        // and it is gone: a second try is no longer "expired" but unknown
        assertThat(otherNode.redeem(token).refusal()).isEqualTo(ConsoleSessions.Refusal.LOGIN_LINK_INVALID);
    }

    @Test
    void rejects_unknown_or_missing_token() {
        assertThat(sessions.redeem("nope").refusal()).isEqualTo(ConsoleSessions.Refusal.LOGIN_LINK_INVALID);
        assertThat(sessions.redeem(null).refusal()).isEqualTo(ConsoleSessions.Refusal.LOGIN_LINK_INVALID);
        assertThat(sessions.redeem("x".repeat(10_000)).refusal()).isEqualTo(ConsoleSessions.Refusal.LOGIN_LINK_INVALID);
        assertThat(sessions.find(null)).isEmpty();
        assertThat(sessions.find("nope")).isEmpty();
    }

    @Test
    void session_ends_after_eight_hours() {
        var s = sessions.redeem(sessions.newLoginToken("admin:a")).session();
        clock.advance(Duration.ofHours(8).minusSeconds(1));
        assertThat(otherNode.find(s.id())).isPresent();
        clock.advance(Duration.ofSeconds(1));
        assertThat(otherNode.find(s.id())).isEmpty();
    }

    @Test
    void expired_links_and_sessions_are_deleted() throws Exception {
        sessions.newLoginToken("admin:a");
        sessions.redeem(sessions.newLoginToken("admin:a"));
        clock.advance(Duration.ofHours(9));
        sessions.newLoginToken("admin:b"); // minting cleans up
        assertThat(rows("console_links")).isEqualTo(1);
        assertThat(rows("console_sessions")).isZero();
    }

    @Test
    void neither_tokens_nor_session_ids_nor_csrf_tokens_are_stored_in_clear() throws Exception {
        String pending = sessions.newLoginToken("admin:a");
        ConsoleSessions.Session s = sessions.redeem(sessions.newLoginToken("admin:a")).session();
        store.close();
        otherStore.close();
        byte[] db = Files.readAllBytes(tmp.resolve("imprint.db"));
        Path wal = tmp.resolve("imprint.db-wal");
        String everything = new String(db, java.nio.charset.StandardCharsets.ISO_8859_1)
                + (Files.exists(wal) ? new String(Files.readAllBytes(wal), java.nio.charset.StandardCharsets.ISO_8859_1) : "");
        assertThat(everything).contains(ConsoleSessions.hash("session", s.id()))
                .doesNotContain(pending).doesNotContain(s.id()).doesNotContain(s.csrf());
        store = JdbcStore.sqlite(tmp.resolve("imprint.db"));
        otherStore = JdbcStore.sqlite(tmp.resolve("imprint.db"));
        // the stored hash is no session id: presenting it gets nothing
        assertThat(new ConsoleSessions(store.consoleSessions(), clock).find(ConsoleSessions.hash("session", s.id()))).isEmpty();
    }

    @Test
    void csrf_must_match_exactly() {
        var s = sessions.redeem(sessions.newLoginToken("admin:a")).session();
        assertThat(ConsoleSessions.csrfMatches(s, s.csrf())).isTrue();
        assertThat(ConsoleSessions.csrfMatches(s, null)).isFalse();
        assertThat(ConsoleSessions.csrfMatches(s, s.csrf() + "x")).isFalse();
        assertThat(ConsoleSessions.csrfMatches(s, s.id())).isFalse();
    }

    private int rows(String table) throws Exception {
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("imprint.db"));
                var st = c.createStatement(); var rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
