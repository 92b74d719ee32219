package dev.imprint.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cluster tables' contract (migration V6: node table and node inboxes), mixed into every dialect's store test. */
interface NodeStoreContract {
    Instant T = Instant.parse("2030-01-01T00:00:00Z");

    Store store();

    /** A lease long enough to outlive the test. */
    Duration LEASE = Duration.ofSeconds(60);
    /** A lease that ran out a second ago: a crashed node's, without waiting for it. */
    Duration LAPSED = Duration.ofSeconds(-1);

    /** A process's identity; the store writes heartbeat and lease itself. */
    private static NodeStore.NodeRow row(String name, long pid, Instant started) {
        return new NodeStore.NodeRow(name, Set.of("hub:hub-1", "dps"), "10.0.0.1:8883", pid, started, started, started);
    }

    @Test
    default void registered_node_is_listed_and_its_heartbeat_extends_the_lease_by_the_database_clock() {
        NodeStore nodes = store().nodes();
        Instant before = nodes.now();
        NodeStore.NodeRow a = nodes.register(row("node-a", 100, T), LEASE);
        nodes.register(row("node-b", 200, T), LEASE);
        Instant after = nodes.now();

        assertThat(nodes.list()).extracting(NodeStore.NodeRow::name).containsExactly("node-a", "node-b");
        assertThat(nodes.list().get(0)).isEqualTo(a);
        assertThat(a.startedAt()).as("the process's identity, not a clock reading").isEqualTo(T);
        assertThat(a.heartbeatAt()).isBetween(before, after);
        assertThat(a.leaseUntil()).isEqualTo(a.heartbeatAt().plus(LEASE));
        assertThat(a.live(nodes.now())).isTrue();

        assertThat(nodes.heartbeat(a, LEASE.multipliedBy(2))).isTrue();
        NodeStore.NodeRow beaten = nodes.list().get(0);
        assertThat(beaten.heartbeatAt()).isAfterOrEqualTo(a.heartbeatAt()).isBeforeOrEqualTo(nodes.now());
        assertThat(beaten.leaseUntil()).isEqualTo(beaten.heartbeatAt().plus(LEASE.multipliedBy(2)));
    }

    @Test
    default void heartbeat_revives_a_lapsed_lease_until_a_janitor_declares_the_node_dead() {
        NodeStore nodes = store().nodes();
        NodeStore.NodeRow a = nodes.register(row("node-a", 100, T), LEASE);

        assertThat(nodes.heartbeat(row("node-a", 101, T), LEASE)).as("other pid").isFalse();
        assertThat(nodes.heartbeat(row("node-a", 100, T.plusMillis(1)), LEASE)).as("other start").isFalse();
        assertThat(nodes.heartbeat(row("node-x", 100, T), LEASE)).as("no row").isFalse();
        assertThat(nodes.declareDead(a)).as("still live").isFalse();
        assertThat(nodes.heartbeat(a, LAPSED)).isTrue();
        // the database was out of reach for a while: nobody declared it dead, so it lives on
        assertThat(nodes.heartbeat(a, LEASE)).as("lapsed, not declared dead").isTrue();
        assertThat(nodes.declareDead(a)).as("live again").isFalse();

        assertThat(nodes.heartbeat(a, LAPSED)).isTrue();
        assertThat(nodes.declareDead(row("node-a", 101, T))).as("another process").isFalse();
        assertThat(nodes.declareDead(a)).isTrue();
        assertThat(nodes.declareDead(a)).as("a second janitor").isTrue();
        assertThat(nodes.list().get(0).live(nodes.now())).isFalse();
        assertThat(nodes.heartbeat(a, LEASE)).as("declared dead").isFalse();
    }

    @Test
    default void a_live_name_is_refused_to_another_process_with_when_it_frees_up_and_free_again_after_its_lease() {
        NodeStore nodes = store().nodes();
        NodeStore.NodeRow a = nodes.register(row("node-a", 100, T), LEASE);

        NodeStore.NodeRow other = row("node-a", 999, T.plusSeconds(5));
        assertThatThrownBy(() -> nodes.register(other, LEASE))
                .isInstanceOfSatisfying(NodeNameTakenException.class, e -> {
                    assertThat(e.holder()).isEqualTo(a);
                    assertThat(e.freeAt()).isEqualTo(a.leaseUntil());
                })
                .hasMessageContaining("node name node-a is held by a live process (pid 100 at 10.0.0.1:8883")
                .hasMessageContaining("the name frees up at " + a.leaseUntil() + " (in 60 s)");
        nodes.register(row("node-a", 100, T), LEASE);  // the same process again: fine

        nodes.heartbeat(a, LAPSED);
        NodeStore.NodeRow later = nodes.register(other, LEASE);
        assertThat(nodes.list()).containsExactly(later);
        assertThat(later.pid()).isEqualTo(999);
    }

    @Test
    default void rows_are_removed_only_by_their_process_or_once_declared_dead() {
        NodeStore nodes = store().nodes();
        NodeStore.NodeRow a = nodes.register(row("node-a", 100, T), LAPSED);

        assertThat(nodes.remove(row("node-a", 101, T))).isFalse();
        assertThat(nodes.removeDead(a)).as("not declared dead").isFalse();
        assertThat(nodes.declareDead(a)).isTrue();
        assertThat(nodes.removeDead(row("node-a", 101, T))).as("another process").isFalse();
        assertThat(nodes.removeDead(a)).isTrue();
        assertThat(nodes.list()).isEmpty();

        nodes.register(a, LEASE);
        assertThat(nodes.remove(a)).isTrue();
        assertThat(nodes.remove(a)).isFalse();
    }

    @Test
    default void a_name_declared_dead_is_free_for_the_next_process() {
        NodeStore nodes = store().nodes();
        NodeStore.NodeRow a = nodes.register(row("node-a", 100, T), LAPSED);
        nodes.declareDead(a);
        NodeStore.NodeRow next = nodes.register(row("node-a", 200, T.plusSeconds(11)), LEASE);
        assertThat(nodes.list()).containsExactly(next);
        assertThat(nodes.removeDead(a)).as("the old process's janitor step no longer applies").isFalse();
    }

    @Test
    default void an_evicted_process_loses_its_live_name_at_once() {
        NodeStore nodes = store().nodes();
        NodeStore.NodeRow a = nodes.register(row("node-a", 100, T), LEASE);
        assertThat(nodes.evict(row("node-a", 101, T))).as("another process").isFalse();
        assertThat(nodes.evict(a)).isTrue();
        assertThat(nodes.heartbeat(a, LEASE)).isFalse();
        NodeStore.NodeRow next = nodes.register(row("node-a", 200, T.plusSeconds(1)), LEASE);
        assertThat(nodes.list()).containsExactly(next);
    }

    @Test
    default void what_a_dead_node_held_goes_with_its_row_unless_it_registered_again() {
        Store s = store();
        NodeStore nodes = s.nodes();
        NodeStore.NodeRow a = nodes.register(row("node-a", 100, T), LAPSED);
        s.sessions().claim("dev-old", "hub-1", "node-a", T).join();
        s.nodeInbox().append(message("node-a", "dev-old", "for the dead"), null);
        assertThat(nodes.declareDead(a)).isTrue();

        // the process was only frozen: it comes back, registers again and takes a new session
        // before the janitor's last step commits
        nodes.register(a, LEASE);
        assertThat(s.sessions().find("dev-old")).as("registering clears what the name held").isEmpty();
        assertThat(s.nodeInbox().pending("node-a", 10)).isEmpty();
        s.sessions().claim("dev-new", "hub-1", "node-a", T).join();
        s.nodeInbox().append(message("node-a", "dev-new", "for the living"), null);
        assertThat(nodes.removeDead(a)).as("registered again: the janitor's step is void").isFalse();
        assertThat(s.sessions().find("dev-new")).isPresent();
        assertThat(s.nodeInbox().pending("node-a", 10)).hasSize(1);

        // really dead this time
        nodes.heartbeat(a, LAPSED);
        assertThat(nodes.declareDead(a)).isTrue();
        assertThat(nodes.removeDead(a)).isTrue();
        assertThat(s.sessions().find("dev-new")).isEmpty();
        assertThat(s.nodeInbox().pending("node-a", 10)).isEmpty();
        assertThat(nodes.list()).isEmpty();
    }

    @Test
    default void a_clean_stop_takes_its_sessions_and_inbox_but_a_refused_process_takes_nothing() {
        Store s = store();
        NodeStore nodes = s.nodes();
        NodeStore.NodeRow a = nodes.register(row("node-a", 100, T), LEASE);
        s.sessions().claim("dev-1", "hub-1", "node-a", T).join();
        s.sessions().claim("dev-2", "hub-1", "node-b", T).join();
        s.nodeInbox().append(message("node-a", "dev-1", "pending"), null);

        NodeStore.NodeRow refused = row("node-a", 999, T.plusSeconds(1));
        assertThatThrownBy(() -> nodes.register(refused, LEASE)).isInstanceOf(NodeNameTakenException.class);
        assertThat(nodes.remove(refused)).as("the refused process stops").isFalse();
        assertThat(s.sessions().find("dev-1")).as("the holder's session stays").isPresent();
        assertThat(s.nodeInbox().pending("node-a", 10)).as("the holder's inbox stays").hasSize(1);

        assertThat(nodes.remove(a)).isTrue();
        assertThat(s.sessions().find("dev-1")).isEmpty();
        assertThat(s.nodeInbox().pending("node-a", 10)).isEmpty();
        assertThat(s.sessions().find("dev-2")).as("another node's").isPresent();
    }

    @Test
    default void sessions_of_nodes_without_a_row_are_removed() {
        Store s = store();
        s.nodes().register(row("node-a", 100, T), LEASE);
        s.sessions().claim("dev-1", "hub-1", "node-a", T).join();
        s.sessions().claim("dev-2", "hub-1", "node-gone", T).join();
        s.sessions().claim("dev-3", "hub-1", "node-gone", T).join();

        assertThat(s.nodes().removeOrphanSessions()).isEqualTo(2);
        assertThat(s.sessions().find("dev-1")).isPresent();
        assertThat(s.sessions().find("dev-2")).isEmpty();
        assertThat(s.nodes().removeOrphanSessions()).isZero();
    }

    private static NodeInbox.Entry message(String to, String device, String body) {
        return new NodeInbox.Entry(0, to, "C2D_READY", "node-a", device, 7, "corr-" + device, body.getBytes(StandardCharsets.UTF_8), T);
    }

    @Test
    default void inbox_keeps_messages_per_node_in_order_until_deleted() {
        NodeInbox inbox = store().nodeInbox();
        long s1 = inbox.append(message("node-b", "dev-1", "one"), "imprint_node_b");
        long s2 = inbox.append(message("node-c", "dev-2", "two"), null);
        long s3 = inbox.append(message("node-b", "dev-3", "three"), null);
        assertThat(s2).isGreaterThan(s1);
        assertThat(s3).isGreaterThan(s2);

        List<NodeInbox.Entry> b = inbox.pending("node-b", 10);
        assertThat(b).extracting(NodeInbox.Entry::seq).containsExactly(s1, s3);
        NodeInbox.Entry first = b.get(0);
        assertThat(first.toNode()).isEqualTo("node-b");
        assertThat(first.type()).isEqualTo("C2D_READY");
        assertThat(first.fromNode()).isEqualTo("node-a");
        assertThat(first.deviceId()).isEqualTo("dev-1");
        assertThat(first.epoch()).isEqualTo(7);
        assertThat(first.correlation()).isEqualTo("corr-dev-1");
        assertThat(new String(first.body(), StandardCharsets.UTF_8)).isEqualTo("one");
        assertThat(first.createdAt()).isEqualTo(T);
        assertThat(inbox.pending("node-b", 1)).extracting(NodeInbox.Entry::seq).containsExactly(s1);

        assertThat(inbox.delete("node-b", List.of(s1, s2))).as("s2 is node-c's").isEqualTo(1);
        assertThat(inbox.pending("node-b", 10)).extracting(NodeInbox.Entry::seq).containsExactly(s3);
        assertThat(inbox.pending("node-c", 10)).extracting(NodeInbox.Entry::seq).containsExactly(s2);
        assertThat(inbox.delete("node-b", List.of())).isZero();

        assertThat(inbox.removeNode("node-b")).isEqualTo(1);
        assertThat(inbox.pending("node-b", 10)).isEmpty();
        assertThat(inbox.pending("node-c", 10)).hasSize(1);
        inbox.ring("imprint_doorbell", "revocations");  // a no-op on SQLite, a notification nobody hears on PostgreSQL
    }

    @Test
    default void messages_to_nodes_without_a_row_are_removed_once_old() {
        store().nodes().register(row("node-b", 1, T), LEASE);
        NodeInbox inbox = store().nodeInbox();
        inbox.append(message("node-b", "dev-1", "kept: its node is registered"), null);
        inbox.append(message("node-gone", "dev-2", "removed"), null);

        assertThat(inbox.removeUnaddressed(T)).as("not older than the cut-off").isZero();
        assertThat(inbox.removeUnaddressed(T.plusSeconds(1))).isEqualTo(1);
        assertThat(inbox.pending("node-b", 10)).hasSize(1);
        assertThat(inbox.pending("node-gone", 10)).isEmpty();
    }
}
