package dev.imprint.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.imprint.store.JdbcStore;
import dev.imprint.store.NodeInbox;
import dev.imprint.store.NodeNameTakenException;
import dev.imprint.store.NodeStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The node table with heartbeats, leases and the janitor, between nodes with stores of their own, on a real PostgreSQL. */
class PgMembershipIT extends ClusterPostgres {
    private static final Duration BEAT = Duration.ofMillis(200);
    private static final Duration LEASE = Duration.ofSeconds(1);
    /** Heartbeats in a row before a janitor judges: lease / heartbeat + 1. */
    private static final int STEADY = 6;

    private PgMembership member(JdbcStore store, String name, long pid, Set<String> roles, List<String> dead) {
        return member(store, name, pid, "127.0.0.1:" + pid, roles, dead);
    }

    private PgMembership member(JdbcStore store, String name, long pid, String address, Set<String> roles, List<String> dead) {
        PgMembership m = closing(new PgMembership(name, roles, address, store.nodes(), store.nodeInbox(), BEAT, LEASE, pid));
        m.onNodeDead(dead::add);
        return m.start();
    }

    private static NodeInbox.Entry note(String to) {
        return note(to, Instant.now());
    }

    private static NodeInbox.Entry note(String to, Instant created) {
        return new NodeInbox.Entry(0, to, NodeMessage.C2D_READY, "node-a", "dev-1", 1, "", new byte[0], created);
    }

    private static NodeStore.NodeRow rowOf(JdbcStore store, String name) {
        return store.nodes().list().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    /** The pid of a process that ran on this machine and exited. */
    private static long exitedPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.of(p.pid()).map(h -> !h.isAlive()).orElse(true));
        return p.pid();
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
        assertThat(dead).as("its own start is no death").isEmpty();

        // the lease keeps moving while it beats, by the database's clock
        NodeStore.NodeRow first = store.nodes().list().get(0);
        assertThat(first.leaseUntil()).isEqualTo(first.heartbeatAt().plus(LEASE));
        await().atMost(Duration.ofSeconds(2)).until(() -> store.nodes().list().get(0).leaseUntil().isAfter(first.leaseUntil()));
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
        storeB.sessions().claim("dev-b", "hub-1", "node-b", Instant.now()).join();
        storeA.sessions().claim("dev-a", "hub-1", "node-a", Instant.now()).join();

        long frozen = System.nanoTime();
        b.freeze();
        Instant leaseOfB = rowOf(storeA, "node-b").leaseUntil();
        await().atMost(LEASE.plus(BEAT.multipliedBy(STEADY)).plusSeconds(2)).until(() -> deadAtA.contains("node-b"));
        long foundMs = (System.nanoTime() - frozen) / 1_000_000;
        assertThat(storeA.nodes().now()).isAfter(leaseOfB);
        await().atMost(Duration.ofSeconds(2)).until(() -> storeA.nodes().list().size() == 1);
        assertThat(storeA.nodes().list()).extracting(r -> r.name()).containsExactly("node-a");
        assertThat(storeA.nodeInbox().pending("node-b", 10)).isEmpty();
        assertThat(storeA.sessions().find("dev-b")).as("the dead node's session").isEmpty();
        assertThat(storeA.nodeInbox().pending("node-a", 10)).as("the live node's inbox stays").hasSize(1);
        assertThat(storeA.sessions().find("dev-a")).as("the live node's session stays").isPresent();
        assertThat(deadAtA).containsExactly("node-b");
        figure("membership: frozen node found dead after " + foundMs + " ms (heartbeat " + BEAT.toMillis() + " ms, lease "
                + LEASE.toMillis() + " ms)");
    }

    @Test
    void a_live_name_is_refused_to_another_process_until_its_holder_stops_and_the_refused_one_takes_nothing() {
        JdbcStore store = store();
        PgMembership a = member(store, "node-a", 1, Set.of("ca"), new CopyOnWriteArrayList<>());
        store.nodeInbox().append(note("node-a"), null);
        store.sessions().claim("dev-1", "hub-1", "node-a", Instant.now()).join();
        PgMembership impostor = closing(new PgMembership("node-a", Set.of("dps"), "elsewhere", store.nodes(), store.nodeInbox(), BEAT, LEASE, 99));
        assertThatThrownBy(impostor::start)
                .isInstanceOf(NodeNameTakenException.class)
                .hasMessageContaining("node name node-a is held by a live process (pid 1")
                .hasMessageContaining("the name frees up at");
        assertThat(store.nodes().list()).singleElement().satisfies(r -> assertThat(r.pid()).isEqualTo(1));

        impostor.close();
        assertThat(store.nodeInbox().pending("node-a", 10)).as("the holder's inbox survives the refused process's close").hasSize(1);
        assertThat(store.sessions().find("dev-1")).as("and its sessions").isPresent();

        a.close();
        assertThat(store.nodes().list()).as("a clean stop deletes the row").isEmpty();
        assertThat(store.nodeInbox().pending("node-a", 10)).as("its inbox").isEmpty();
        assertThat(store.sessions().find("dev-1")).as("and its sessions").isEmpty();
        PgMembership next = member(store, "node-a", 99, Set.of("dps"), new CopyOnWriteArrayList<>());
        assertThat(next.nodes()).singleElement().satisfies(n -> assertThat(n.roles()).containsExactly("dps"));
    }

    @Test
    void a_node_declared_dead_while_alive_registers_again_closes_its_sessions_and_keeps_its_new_claims() {
        JdbcStore store = store();
        AtomicInteger lost = new AtomicInteger();
        AtomicBoolean liveWhenTold = new AtomicBoolean();
        PgMembership a = closing(new PgMembership("node-a", Set.of("hub:hub-1"), "127.0.0.1:1", store.nodes(), store.nodeInbox(), BEAT, LEASE, 1));
        a.onSelfLost(() -> {
            liveWhenTold.set(rowOf(store, "node-a").live(store.nodes().now()));
            lost.incrementAndGet();
        });
        a.start();
        store.sessions().claim("dev-old", "hub-1", "node-a", Instant.now()).join();
        NodeStore.NodeRow before = rowOf(store, "node-a");
        // another node's janitor declares it dead (as after a freeze longer than the lease)
        assertThat(store.nodes().evict(before)).isTrue();

        await().atMost(Duration.ofSeconds(3)).until(() -> lost.get() >= 1);
        assertThat(liveWhenTold).as("told after it registered again").isTrue();
        assertThat(lost.get()).as("once: the next heartbeat succeeds").isEqualTo(1);
        assertThat(store.sessions().find("dev-old")).as("its old rows are gone").isEmpty();

        // a device reconnects to it; then the janitor's last step, late, commits
        store.sessions().claim("dev-new", "hub-1", "node-a", Instant.now()).join();
        assertThat(store.nodes().removeDead(before)).isFalse();
        assertThat(store.sessions().find("dev-new")).as("the new claim survives").isPresent();
        assertThat(rowOf(store, "node-a").pid()).isEqualTo(1);
    }

    @Test
    void a_slow_dead_node_listener_does_not_hold_up_the_heartbeat() throws Exception {
        JdbcStore storeA = store();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PgMembership a = member(storeA, "node-a", 1, Set.of("ca"), new CopyOnWriteArrayList<>());
        a.onNodeDead(node -> {
            entered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);  // as removing 100k sessions behind a claim storm would
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        member(store(), "node-b", 2, Set.of("hub:hub-1"), new CopyOnWriteArrayList<>()).freeze();
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        // while the listener blocks, node-a keeps beating at its period
        List<Instant> beats = new ArrayList<>();
        await().atMost(BEAT.multipliedBy(8).plusSeconds(3)).pollInterval(Duration.ofMillis(20)).until(() -> {
            Instant at = rowOf(storeA, "node-a").heartbeatAt();
            if (beats.isEmpty() || !beats.get(beats.size() - 1).equals(at)) {
                beats.add(at);
            }
            return beats.size() >= 6;
        });
        long maxGap = 0;
        for (int i = 1; i < beats.size(); i++) {
            maxGap = Math.max(maxGap, Duration.between(beats.get(i - 1), beats.get(i)).toMillis());
        }
        assertThat(maxGap).as("gap between heartbeats while the listener blocks, ms").isLessThan(LEASE.toMillis() / 2);
        assertThat(rowOf(storeA, "node-a").live(storeA.nodes().now())).isTrue();
        assertThat(storeA.nodes().list()).as("node-b is cleared only after its listeners").hasSize(2);

        release.countDown();
        await().atMost(Duration.ofSeconds(3)).until(() -> storeA.nodes().list().size() == 1);
        figure("membership: largest heartbeat gap while a dead-node listener blocked: " + maxGap + " ms (heartbeat " + BEAT.toMillis() + " ms)");
    }

    @Test
    void a_janitor_judges_only_after_a_lease_of_steady_heartbeats() {
        JdbcStore store = store();
        // a crashed node's row, its lease already out
        store.nodes().register(new NodeStore.NodeRow("node-x", Set.of("ca"), "10.9.9.9:1", 7, Instant.EPOCH, Instant.EPOCH, Instant.EPOCH),
                Duration.ofSeconds(-1));
        List<String> dead = new CopyOnWriteArrayList<>();
        long started = System.nanoTime();
        member(store, "node-a", 1, Set.of("ca"), dead);
        await().atMost(BEAT.multipliedBy(STEADY).plusSeconds(3)).until(() -> dead.contains("node-x"));
        long judgedMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(judgedMs).as("after lease / heartbeat + 1 steady beats").isGreaterThanOrEqualTo(BEAT.multipliedBy(STEADY).toMillis());
    }

    @Test
    void after_a_database_outage_a_node_that_comes_back_later_is_not_declared_dead() throws Exception {
        JdbcStore storeA = store();
        List<String> deadAtA = new CopyOnWriteArrayList<>();
        member(storeA, "node-a", 1, Set.of("ca"), deadAtA);
        PgMembership b = member(store(), "node-b", 2, Set.of("ca"), new CopyOnWriteArrayList<>());
        Instant leaseOfB = rowOf(storeA, "node-b").leaseUntil();

        // the node table is out of reach for everyone for longer than a lease; node-b, in
        // addition, is paused and comes back 800 ms after the database does
        b.freeze();
        sql("ALTER TABLE nodes RENAME TO nodes_away");
        await().atMost(Duration.ofSeconds(5)).until(() -> dbNow().isAfter(leaseOfB.plus(LEASE)));
        sql("ALTER TABLE nodes_away RENAME TO nodes");
        await().pollDelay(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2)).until(() -> true);
        b.resume();

        // node-a has judged for a while since (its heartbeat has moved a whole lease past node-b's return)
        Instant back = storeA.nodes().now();
        await().atMost(Duration.ofSeconds(5)).until(() -> rowOf(storeA, "node-a").heartbeatAt().isAfter(back.plus(LEASE).plus(BEAT)));
        assertThat(deadAtA).isEmpty();
        assertThat(rowOf(storeA, "node-b").pid()).isEqualTo(2);
        assertThat(rowOf(storeA, "node-b").live(storeA.nodes().now())).isTrue();
    }

    @Test
    void sessions_and_messages_of_nodes_without_a_row_are_swept() {
        JdbcStore store = store();
        store.sessions().claim("dev-ghost", "hub-1", "node-ghost", Instant.now()).join();
        store.nodeInbox().append(note("node-ghost", Instant.now().minusSeconds(60)), null);
        member(store, "node-a", 1, Set.of("ca"), new CopyOnWriteArrayList<>());
        store.sessions().claim("dev-a", "hub-1", "node-a", Instant.now()).join();

        await().atMost(Duration.ofSeconds(6)).until(() -> store.sessions().find("dev-ghost").isEmpty()
                && store.nodeInbox().pending("node-ghost", 10).isEmpty());
        assertThat(store.sessions().find("dev-a")).isPresent();
    }

    @Test
    void a_restart_on_the_same_machine_takes_the_name_of_a_gone_process_at_once() throws Exception {
        JdbcStore store = store();
        long gone = exitedPid();
        PgMembership crashed = member(store, "node-a", gone, "127.0.0.1:8883", Set.of("ca"), new CopyOnWriteArrayList<>());
        crashed.freeze();
        store.nodeInbox().append(note("node-a"), null);
        store.sessions().claim("dev-1", "hub-1", "node-a", Instant.now()).join();

        PgMembership restarted = member(store, "node-a", gone + 1_000_000, "127.0.0.1:8883", Set.of("ca"), new CopyOnWriteArrayList<>());
        assertThat(rowOf(store, "node-a").pid()).isEqualTo(gone + 1_000_000);
        assertThat(rowOf(store, "node-a").live(store.nodes().now())).isTrue();
        assertThat(store.sessions().find("dev-1")).as("the crashed run's leftovers").isEmpty();
        assertThat(store.nodeInbox().pending("node-a", 10)).isEmpty();
        assertThat(restarted.self()).isEqualTo("node-a");
    }

    @Test
    void a_name_is_not_taken_over_from_a_live_process_or_where_the_address_does_not_place_it_on_this_machine() throws Exception {
        JdbcStore store = store();
        long alive = ProcessHandle.current().pid();
        member(store, "node-a", alive, "127.0.0.1:8883", Set.of("ca"), new CopyOnWriteArrayList<>()).freeze();
        assertThatThrownBy(() -> member(store, "node-a", 5_000_001, "127.0.0.1:8883", Set.of("ca"), List.of()))
                .as("its pid is alive here").isInstanceOf(NodeNameTakenException.class);

        long gone = exitedPid();
        member(store, "node-b", gone, "127.0.0.1:8884", Set.of("ca"), new CopyOnWriteArrayList<>()).freeze();
        assertThatThrownBy(() -> member(store, "node-b", 5_000_002, "127.0.0.2:8884", Set.of("ca"), List.of()))
                .as("another address").isInstanceOf(NodeNameTakenException.class);

        member(store, "node-c", gone, "0.0.0.0:8883", Set.of("ca"), new CopyOnWriteArrayList<>()).freeze();
        assertThatThrownBy(() -> member(store, "node-c", 5_000_003, "0.0.0.0:8883", Set.of("ca"), List.of()))
                .as("a wildcard names no machine").isInstanceOf(NodeNameTakenException.class);

        // TEST-NET-3: an address no interface here has, as a balancer's public address shared by all nodes
        member(store, "node-d", gone, "203.0.113.7:8883", Set.of("ca"), new CopyOnWriteArrayList<>()).freeze();
        assertThatThrownBy(() -> member(store, "node-d", 5_000_004, "203.0.113.7:8883", Set.of("ca"), List.of()))
                .as("not this machine's address: the pid may live on another one").isInstanceOf(NodeNameTakenException.class)
                .hasMessageContaining("the name frees up at");
        assertThat(store.nodes().list()).extracting(NodeStore.NodeRow::pid).containsExactly(alive, gone, gone, gone);
    }

    @Test
    void addresses_are_split_into_their_host() {
        assertThat(PgMembership.host("10.0.0.1:8883")).isEqualTo("10.0.0.1");
        assertThat(PgMembership.host("[::]:8883")).isEqualTo("[::]");
        assertThat(PgMembership.host("[fd00::1]:8883")).isEqualTo("[fd00::1]");
        assertThat(PgMembership.host("::")).isEqualTo("::");
        assertThat(PgMembership.host("-")).isEqualTo("-");
        assertThat(PgMembership.host("node-1.example:443")).isEqualTo("node-1.example");
        assertThat(PgMembership.onThisMachine("127.0.0.1")).isTrue();
        assertThat(PgMembership.onThisMachine("[::1]")).isTrue();
        assertThat(PgMembership.onThisMachine("0.0.0.0")).isFalse();
        assertThat(PgMembership.onThisMachine("[::]")).isFalse();
        assertThat(PgMembership.onThisMachine("-")).isFalse();
        assertThat(PgMembership.onThisMachine("203.0.113.7")).isFalse();
    }
}
