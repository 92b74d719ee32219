package dev.imprint.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The session directory's contract (migration V5), mixed into every dialect's store test. */
interface SessionDirectoryContract {
    Instant T1 = Instant.parse("2030-01-01T00:00:00Z");

    Store store();

    /** A second store on the same database: another node. */
    Store openAnother();

    @Test
    default void a_claim_returns_the_entry_it_replaced_and_epochs_grow() {
        SessionDirectory d = store().sessions();
        SessionDirectory.Claim first = d.claim("dev-1", "hub-1", "node-a", T1).join();
        assertThat(first.previous()).isEmpty();
        assertThat(first.entry()).isEqualTo(new SessionDirectory.Entry("dev-1", "hub-1", "node-a", first.entry().epoch(), T1));

        SessionDirectory.Claim second = d.claim("dev-1", "hub-1", "node-b", T1.plusSeconds(1)).join();
        assertThat(second.previous()).contains(first.entry());
        assertThat(second.entry().epoch()).isGreaterThan(first.entry().epoch());
        assertThat(d.find("dev-1")).contains(second.entry());
        assertThat(d.count("node-a")).isZero();
        assertThat(d.count("node-b")).isEqualTo(1);
        assertThat(d.find("dev-unknown")).isEmpty();
    }

    @Test
    default void a_release_with_a_stale_epoch_does_not_remove_the_newer_claim() {
        SessionDirectory d = store().sessions();
        SessionDirectory.Entry old = d.claim("dev-2", "hub-1", "node-a", T1).join().entry();
        SessionDirectory.Entry now = d.claim("dev-2", "hub-1", "node-a", T1.plusSeconds(1)).join().entry();

        d.release("dev-2", "node-a", old.epoch(), T1.plusSeconds(2)).join();
        d.release("dev-2", "node-b", now.epoch(), T1.plusSeconds(2)).join();
        assertThat(d.find("dev-2")).contains(now);
        assertThat(store().presence().find("dev-2")).isEmpty();

        d.release("dev-2", "node-a", now.epoch(), T1.plusSeconds(3)).join();
        assertThat(d.find("dev-2")).isEmpty();
        // last-seen is written once, at the disconnect
        PresenceRecord seen = store().presence().find("dev-2").orElseThrow();
        assertThat(seen.connected()).isFalse();
        assertThat(seen.hub()).isEqualTo("hub-1");
        assertThat(seen.lastSeen()).isEqualTo(T1.plusSeconds(3));
    }

    @Test
    default void the_sessions_of_a_node_with_queued_c2d_are_listed_once_expired_and_other_nodes_left_out() {
        SessionDirectory d = store().sessions();
        SessionDirectory.Entry queued = d.claim("dev-q1", "hub-1", "node-q", T1).join().entry();
        d.claim("dev-q2", "hub-1", "node-q", T1).join();
        d.claim("dev-q3", "hub-1", "node-q", T1).join();
        d.claim("dev-q4", "hub-1", "node-other", T1).join();
        C2dQueue q = store().cloudToDevice();
        for (int i = 0; i < 2; i++) {
            q.enqueue(new C2dMessage(0, "dev-q1", "m" + i, "{}", new byte[0], T1, T1.plusSeconds(60)));
        }
        q.enqueue(new C2dMessage(0, "dev-q2", "expired", "{}", new byte[0], T1, T1.plusSeconds(1)));
        q.enqueue(new C2dMessage(0, "dev-q4", "elsewhere", "{}", new byte[0], T1, T1.plusSeconds(60)));

        assertThat(d.withQueuedC2d("node-q", T1.plusSeconds(2), 10)).containsExactly(queued);
        assertThat(d.withQueuedC2d("node-q", T1, 1)).hasSize(1);
        assertThat(d.withQueuedC2d("node-none", T1, 10)).isEmpty();
    }

    @Test
    default void sessions_are_counted_by_hub_and_node() {
        SessionDirectory d = store().sessions();
        d.claim("dev-c1", "hub-1", "node-a", T1).join();
        d.claim("dev-c2", "hub-1", "node-a", T1).join();
        d.claim("dev-c3", "hub-2", "node-a", T1).join();
        d.claim("dev-c4", "hub-1", "node-b", T1).join();
        assertThat(d.countByHub()).containsExactly(new SessionDirectory.Count("hub-1", "node-a", 2),
                new SessionDirectory.Count("hub-1", "node-b", 1), new SessionDirectory.Count("hub-2", "node-a", 1));
    }

    @Test
    default void epochs_are_never_reused_after_a_release() {
        SessionDirectory d = store().sessions();
        SessionDirectory.Entry a = d.claim("dev-3", "hub-1", "node-a", T1).join().entry();
        d.release("dev-3", "node-a", a.epoch(), T1).join();
        SessionDirectory.Claim b = d.claim("dev-3", "hub-1", "node-a", T1).join();
        assertThat(b.previous()).isEmpty();
        assertThat(b.entry().epoch()).isGreaterThan(a.epoch());
    }

    @Test
    default void removing_a_node_removes_only_its_rows() {
        SessionDirectory d = store().sessions();
        d.claim("dev-4", "hub-1", "node-a", T1);
        d.claim("dev-5", "hub-1", "node-a", T1);
        d.claim("dev-6", "hub-1", "node-b", T1).join();
        d.claim("dev-7", "hub-2", "node-a", T1).join();
        assertThat(d.removeSessions("node-a", "hub-2")).isEqualTo(1);
        assertThat(d.find("dev-7")).isEmpty();
        assertThat(d.removeNode("node-a")).isEqualTo(2);
        assertThat(d.find("dev-4")).isEmpty();
        assertThat(d.find("dev-6")).isPresent();
    }

    @Test
    default void a_removal_applies_to_the_claims_queued_before_it_and_not_to_those_after() {
        SessionDirectory d = store().sessions();
        d.claim("dev-z", "hub-1", "node-c", T1);
        d.claim("dev-y", "hub-1", "node-c", T1);
        CompletableFuture<SessionDirectory.Claim> before = d.claim("dev-x", "hub-1", "node-c", T1);
        assertThat(d.removeNode("node-c")).isEqualTo(3);
        SessionDirectory.Claim after = d.claim("dev-a", "hub-1", "node-c", T1).join();
        assertThat(before.join().entry().deviceId()).isEqualTo("dev-x");
        assertThat(d.find("dev-x")).isEmpty();
        assertThat(d.find("dev-a")).contains(after.entry());
    }

    @Test
    default void two_nodes_claiming_one_device_each_see_the_claim_they_replaced() {
        try (Store other = openAnother()) {
            List<CompletableFuture<SessionDirectory.Claim>> claims = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                claims.add(store().sessions().claim("dev-contended", "hub-1", "node-a", T1));
                claims.add(other.sessions().claim("dev-contended", "hub-1", "node-b", T1));
            }
            List<SessionDirectory.Claim> done = claims.stream().map(CompletableFuture::join)
                    .sorted(Comparator.comparingLong(c -> c.entry().epoch())).toList();
            // a chain: every claim replaced exactly the one before it, none was lost between the nodes
            assertThat(done.get(0).previous()).isEmpty();
            for (int i = 1; i < done.size(); i++) {
                assertThat(done.get(i).previous()).contains(done.get(i - 1).entry());
            }
            assertThat(done.stream().map(c -> c.entry().epoch()).distinct()).hasSize(400);
            assertThat(other.sessions().find("dev-contended")).contains(done.get(done.size() - 1).entry());
        }
    }

    @Test
    default void ten_thousand_claims_take_far_fewer_commits() {
        JdbcSessionDirectory d = (JdbcSessionDirectory) store().sessions();
        long before = d.commits();
        List<CompletableFuture<SessionDirectory.Claim>> claims = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            claims.add(d.claim("dev-" + i, "hub-1", "node-a", T1));
        }
        claims.forEach(CompletableFuture::join);
        long commits = d.commits() - before;
        System.out.printf("[throughput] %s sessions: 10000 claims in %d commits%n", store().dialect(), commits);
        assertThat(commits).isLessThan(100);
        assertThat(d.count("node-a")).isEqualTo(10_000);
    }
}
