package dev.imprint.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cluster tables' contract (migration V6: node table and node inboxes), mixed into every dialect's store test. */
interface NodeStoreContract {
    Instant T = Instant.parse("2030-01-01T00:00:00Z");

    Store store();

    private static NodeStore.NodeRow row(String name, long pid, Instant started, Instant leaseUntil) {
        return new NodeStore.NodeRow(name, Set.of("hub:hub-1", "dps"), "10.0.0.1:8883", pid, started, started, leaseUntil);
    }

    @Test
    default void registered_node_is_listed_and_its_heartbeat_extends_the_lease() {
        NodeStore nodes = store().nodes();
        NodeStore.NodeRow a = row("node-a", 100, T, T.plusSeconds(10));
        nodes.register(a);
        nodes.register(row("node-b", 200, T, T.plusSeconds(10)));

        assertThat(nodes.list()).extracting(NodeStore.NodeRow::name).containsExactly("node-a", "node-b");
        assertThat(nodes.list().get(0)).isEqualTo(a);

        assertThat(nodes.heartbeat(a, T.plusSeconds(2), T.plusSeconds(12))).isTrue();
        NodeStore.NodeRow beaten = nodes.list().get(0);
        assertThat(beaten.heartbeatAt()).isEqualTo(T.plusSeconds(2));
        assertThat(beaten.leaseUntil()).isEqualTo(T.plusSeconds(12));
    }

    @Test
    default void heartbeat_revives_a_lapsed_lease_until_a_janitor_declares_the_node_dead() {
        NodeStore nodes = store().nodes();
        NodeStore.NodeRow a = row("node-a", 100, T, T.plusSeconds(10));
        nodes.register(a);

        assertThat(nodes.heartbeat(row("node-a", 101, T, T), T.plusSeconds(1), T.plusSeconds(11))).as("other pid").isFalse();
        assertThat(nodes.heartbeat(row("node-a", 100, T.plusMillis(1), T), T.plusSeconds(1), T.plusSeconds(11))).as("other start").isFalse();
        assertThat(nodes.heartbeat(row("node-x", 100, T, T), T, T.plusSeconds(10))).as("no row").isFalse();
        // the database was out of reach for 15 s: nobody declared it dead, so it lives on
        assertThat(nodes.heartbeat(a, T.plusSeconds(15), T.plusSeconds(25))).as("lapsed, not declared dead").isTrue();

        assertThat(nodes.declareDead(a, T.plusSeconds(24))).as("still live").isFalse();
        assertThat(nodes.declareDead(row("node-a", 101, T, T), T.plusSeconds(25))).as("another process").isFalse();
        assertThat(nodes.declareDead(a, T.plusSeconds(25))).isTrue();
        assertThat(nodes.declareDead(a, T.plusSeconds(26))).as("a second janitor").isTrue();
        assertThat(nodes.list().get(0).live(T)).isFalse();
        assertThat(nodes.heartbeat(a, T.plusSeconds(26), T.plusSeconds(36))).as("declared dead").isFalse();
    }

    @Test
    default void a_live_name_is_refused_to_another_process_and_free_again_after_its_lease() {
        NodeStore nodes = store().nodes();
        NodeStore.NodeRow a = row("node-a", 100, T, T.plusSeconds(10));
        nodes.register(a);

        NodeStore.NodeRow other = row("node-a", 999, T.plusSeconds(5), T.plusSeconds(15));
        assertThatThrownBy(() -> nodes.register(other))
                .isInstanceOfSatisfying(NodeNameTakenException.class, e -> assertThat(e.holder()).isEqualTo(a))
                .hasMessageContaining("node name node-a is held by a live process (pid 100");
        nodes.register(row("node-a", 100, T, T.plusSeconds(20)));  // the same process again: fine

        NodeStore.NodeRow later = row("node-a", 999, T.plusSeconds(20), T.plusSeconds(30));
        nodes.register(later);
        assertThat(nodes.list()).containsExactly(later);
    }

    @Test
    default void rows_are_removed_only_by_their_process_or_once_declared_dead() {
        NodeStore nodes = store().nodes();
        NodeStore.NodeRow a = row("node-a", 100, T, T.plusSeconds(10));
        nodes.register(a);

        assertThat(nodes.remove(row("node-a", 101, T, T))).isFalse();
        assertThat(nodes.removeDead(a)).as("not declared dead").isFalse();
        assertThat(nodes.declareDead(a, T.plusSeconds(10))).isTrue();
        assertThat(nodes.removeDead(row("node-a", 101, T, T))).as("another process").isFalse();
        assertThat(nodes.removeDead(a)).isTrue();
        assertThat(nodes.list()).isEmpty();

        nodes.register(a);
        assertThat(nodes.remove(a)).isTrue();
        assertThat(nodes.remove(a)).isFalse();
    }

    @Test
    default void a_name_declared_dead_is_free_for_the_next_process() {
        NodeStore nodes = store().nodes();
        NodeStore.NodeRow a = row("node-a", 100, T, T.plusSeconds(10));
        nodes.register(a);
        nodes.declareDead(a, T.plusSeconds(10));
        NodeStore.NodeRow next = row("node-a", 200, T.plusSeconds(11), T.plusSeconds(21));
        nodes.register(next);
        assertThat(nodes.list()).containsExactly(next);
        assertThat(nodes.removeDead(a)).as("the old process's janitor step no longer applies").isFalse();
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
        store().nodes().register(row("node-b", 1, T, T.plusSeconds(10)));
        NodeInbox inbox = store().nodeInbox();
        inbox.append(message("node-b", "dev-1", "kept: its node is registered"), null);
        inbox.append(message("node-gone", "dev-2", "removed"), null);

        assertThat(inbox.removeUnaddressed(T)).as("not older than the cut-off").isZero();
        assertThat(inbox.removeUnaddressed(T.plusSeconds(1))).isEqualTo(1);
        assertThat(inbox.pending("node-b", 10)).hasSize(1);
        assertThat(inbox.pending("node-gone", 10)).isEmpty();
    }
}
