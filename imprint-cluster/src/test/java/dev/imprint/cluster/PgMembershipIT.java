package dev.imprint.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.imprint.store.JdbcStore;
import dev.imprint.store.NodeInbox;
import dev.imprint.store.NodeNameTakenException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The node table with heartbeats, leases and the janitor, between nodes with stores of their own, on a real PostgreSQL. */
class PgMembershipIT extends ClusterPostgres {
    private static final Duration BEAT = Duration.ofMillis(200);
    private static final Duration LEASE = Duration.ofSeconds(1);

    private PgMembership member(JdbcStore store, String name, long pid, Set<String> roles, List<String> dead) {
        PgMembership m = closing(new PgMembership(name, roles, "127.0.0.1:" + pid, store.nodes(), store.nodeInbox(), BEAT, LEASE, pid));
        m.onNodeDead(dead::add);
        return m.start();
    }

    private static NodeInbox.Entry note(String to) {
        return new NodeInbox.Entry(0, to, NodeMessage.C2D_READY, "node-a", "dev-1", 1, "", new byte[0], Instant.now());
    }

    @Test
    void nodes_are_listed_with_their_roles_and_found_by_role() {
        JdbcStore store = store();
        List<String> dead = new CopyOnWriteArrayList<>();
        PgMembership a = member(store, "node-a", 1, Set.of("ca", "admin"), dead);
        member(store(), "node-b", 2, Set.of("hub:hub-1", "dps"), new CopyOnWriteArrayList<>());
        a.countingSessions(node -> node.equals("node-b") ? 42 : 0);

        assertThat(a.nodes()).extracting(NodeInfo::name).containsExactly("node-a", "node-b");
        assertThat(a.nodes().get(1).roles()).containsExactlyInAnyOrder("hub:hub-1", "dps");
        assertThat(a.nodes().get(1).address()).isEqualTo("127.0.0.1:2");
        assertThat(a.nodes().get(1).sessions()).isEqualTo(42);
        assertThat(a.nodes().get(1).pid()).isEqualTo(2);
        assertThat(a.live("hub:hub-1")).extracting(NodeInfo::name).containsExactly("node-b");
        assertThat(a.live("ca")).extracting(NodeInfo::name).containsExactly("node-a");
        assertThat(a.live("hub:hub-2")).isEmpty();
        assertThat(dead).as("own name, at start").containsExactly("node-a");

        // the lease keeps moving while it beats
        Instant lease = store.nodes().list().get(0).leaseUntil();
        await().atMost(Duration.ofSeconds(2)).until(() -> store.nodes().list().get(0).leaseUntil().isAfter(lease));
    }

    @Test
    void a_node_that_stops_beating_is_found_dead_after_its_lease_and_its_rows_are_gone() {
        JdbcStore storeA = store();
        List<String> deadAtA = new CopyOnWriteArrayList<>();
        member(storeA, "node-a", 1, Set.of("ca"), deadAtA);
        JdbcStore storeB = store();
        PgMembership b = member(storeB, "node-b", 2, Set.of("hub:hub-1"), new CopyOnWriteArrayList<>());
        storeA.nodeInbox().append(note("node-b"), null);
        storeA.nodeInbox().append(note("node-a"), null);

        long frozen = System.nanoTime();
        b.freeze();
        Instant leaseOfB = storeA.nodes().list().get(1).leaseUntil();
        await().atMost(LEASE.plus(BEAT.multipliedBy(2)).plusSeconds(1)).until(() -> deadAtA.contains("node-b"));
        long foundMs = (System.nanoTime() - frozen) / 1_000_000;
        assertThat(Instant.now()).isAfter(leaseOfB);
        await().atMost(Duration.ofSeconds(1)).until(() -> storeA.nodes().list().size() == 1);
        assertThat(storeA.nodes().list()).extracting(r -> r.name()).containsExactly("node-a");
        assertThat(storeA.nodeInbox().pending("node-b", 10)).isEmpty();
        assertThat(storeA.nodeInbox().pending("node-a", 10)).as("the live node's inbox stays").hasSize(1);
        assertThat(deadAtA).containsExactly("node-a", "node-b");
        figure("membership: frozen node found dead after " + foundMs + " ms (heartbeat " + BEAT.toMillis() + " ms, lease "
                + LEASE.toMillis() + " ms)");
    }

    @Test
    void a_live_name_is_refused_to_another_process_until_its_holder_stops() {
        JdbcStore store = store();
        PgMembership a = member(store, "node-a", 1, Set.of("ca"), new CopyOnWriteArrayList<>());
        PgMembership impostor = closing(new PgMembership("node-a", Set.of("dps"), "elsewhere", store.nodes(), store.nodeInbox(), BEAT, LEASE, 99));
        assertThatThrownBy(impostor::start)
                .isInstanceOf(NodeNameTakenException.class)
                .hasMessageContaining("node name node-a is held by a live process (pid 1");
        assertThat(store.nodes().list()).singleElement().satisfies(r -> assertThat(r.pid()).isEqualTo(1));

        a.close();
        assertThat(store.nodes().list()).as("a clean stop deletes the row").isEmpty();
        PgMembership next = member(store, "node-a", 99, Set.of("dps"), new CopyOnWriteArrayList<>());
        assertThat(next.nodes()).singleElement().satisfies(n -> assertThat(n.roles()).containsExactly("dps"));
    }

    @Test
    void a_node_that_lost_its_row_registers_again_and_says_so() {
        JdbcStore store = store();
        List<String> dead = new CopyOnWriteArrayList<>();
        member(store, "node-a", 1, Set.of("ca"), dead);
        assertThat(store.nodes().remove(store.nodes().list().get(0))).isTrue();  // as another node's janitor would

        await().atMost(Duration.ofSeconds(2)).until(() -> dead.size() == 2);
        assertThat(dead).as("at start, then at re-registration").containsExactly("node-a", "node-a");
        assertThat(store.nodes().list()).singleElement().satisfies(r -> assertThat(r.pid()).isEqualTo(1));
    }
}
