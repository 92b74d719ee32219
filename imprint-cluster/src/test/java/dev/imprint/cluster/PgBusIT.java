package dev.imprint.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imprint.store.JdbcStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The PostgreSQL node bus between two nodes, each with its own store and LISTEN connection, on a real server. */
class PgBusIT extends ClusterPostgres {
    /** Long enough that only a NOTIFY (or a reconnect's catch-up) can deliver within a test's wait. */
    private static final Duration NEVER = Duration.ofMinutes(10);

    private PgBus bus(String node, Duration inboxBackstop, Duration doorbellBackstop) {
        return bus(store(), node, inboxBackstop, doorbellBackstop);
    }

    private PgBus bus(JdbcStore store, String node, Duration inboxBackstop, Duration doorbellBackstop) {
        return closing(PgBus.start(node, store.nodeInbox(), clusterDatabase(), inboxBackstop, doorbellBackstop));
    }

    private static NodeMessage message(String from, int i) {
        return new NodeMessage(NodeMessage.C2D_READY, from, "dev-" + i, i, "c-" + i, Integer.toString(i).getBytes(StandardCharsets.UTF_8));
    }

    /** Received messages by sender, in arrival order. */
    private static Map<String, List<Integer>> collect(NodeBus bus) {
        Map<String, List<Integer>> got = new ConcurrentHashMap<>();
        bus.onMessage(m -> got.computeIfAbsent(m.from(), f -> new CopyOnWriteArrayList<>())
                .add(Integer.parseInt(new String(m.body(), StandardCharsets.UTF_8))));
        return got;
    }

    private static List<Integer> upTo(int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }

    @Test
    void two_nodes_exchange_1000_messages_each_way_none_lost_order_kept_per_sender() throws Exception {
        PgBus a = bus("node-a", PgBus.INBOX_BACKSTOP, PgBus.DOORBELL_BACKSTOP);
        PgBus b = bus("node-b", PgBus.INBOX_BACKSTOP, PgBus.DOORBELL_BACKSTOP);
        Map<String, List<Integer>> atA = collect(a);
        Map<String, List<Integer>> atB = collect(b);

        long t0 = System.nanoTime();
        Thread fromB = new Thread(() -> {
            for (int i = 0; i < 1000; i++) {
                b.send("node-a", message("node-b", i));
            }
        });
        fromB.start();
        for (int i = 0; i < 1000; i++) {
            a.send("node-b", message("node-a", i));
        }
        fromB.join();
        await().atMost(Duration.ofSeconds(30)).until(() -> atA.getOrDefault("node-b", List.of()).size() >= 1000
                && atB.getOrDefault("node-a", List.of()).size() >= 1000);
        long ms = (System.nanoTime() - t0) / 1_000_000;

        assertThat(atB.get("node-a")).containsExactlyElementsOf(upTo(1000));
        assertThat(atA.get("node-b")).containsExactlyElementsOf(upTo(1000));
        figure("pg bus: 2 x 1000 messages between 2 nodes (one commit + NOTIFY each) delivered in " + ms + " ms");
    }

    @Test
    void doorbells_reach_every_node_and_messages_arrive_at_notify_speed() {
        PgBus a = bus("node-a", NEVER, NEVER);
        PgBus b = bus("node-b", NEVER, NEVER);
        PgBus c = bus("node-c", NEVER, NEVER);
        AtomicInteger rungA = new AtomicInteger();
        AtomicInteger rungC = new AtomicInteger();
        AtomicLong heardAtB = new AtomicLong();
        AtomicInteger rungB = new AtomicInteger();
        a.onDoorbell("revocations", rungA::incrementAndGet);
        c.onDoorbell("revocations", rungC::incrementAndGet);
        b.onDoorbell("revocations", () -> {
            heardAtB.set(System.nanoTime());
            rungB.incrementAndGet();
        });
        b.onDoorbell("config", () -> { throw new AssertionError("another doorbell"); });
        // the catch-up ring of each listener's first connect has happened once all three hear this
        a.ring("revocations");
        await().atMost(Duration.ofSeconds(5)).until(() -> rungA.get() >= 1 && rungB.get() >= 1 && rungC.get() >= 1);

        List<Long> doorbell = new ArrayList<>();
        for (int round = 0; round < 300; round++) {
            int before = rungB.get();
            long t0 = System.nanoTime();
            a.ring("revocations");
            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(1)).until(() -> rungB.get() > before);
            doorbell.add(heardAtB.get() - t0);
        }
        await().atMost(Duration.ofSeconds(2)).until(() -> rungC.get() >= 301 && rungA.get() >= 301);

        AtomicLong receivedAt = new AtomicLong();
        AtomicInteger received = new AtomicInteger();
        b.onMessage(m -> {
            receivedAt.set(System.nanoTime());
            received.incrementAndGet();
        });
        List<Long> messages = new ArrayList<>();
        for (int round = 0; round < 300; round++) {
            int before = received.get();
            long t0 = System.nanoTime();
            a.send("node-b", message("node-a", round));
            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(1)).until(() -> received.get() > before);
            messages.add(receivedAt.get() - t0);
        }
        figure(String.format("pg bus doorbell ring -> other node's handler, 300 rounds: p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                percentileMs(doorbell, 50), percentileMs(doorbell, 99), percentileMs(doorbell, 100)));
        figure(String.format("pg bus message send -> other node's handler, 300 rounds: p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                percentileMs(messages, 50), percentileMs(messages, 99), percentileMs(messages, 100)));
    }

    @Test
    void without_notify_messages_and_doorbells_still_arrive_by_the_backstop() {
        PgBus a = bus("node-a", PgBus.INBOX_BACKSTOP, Duration.ofSeconds(2));
        PgBus b = bus("node-b", PgBus.INBOX_BACKSTOP, Duration.ofSeconds(2));
        a.suppressNotify();
        b.suppressNotify();
        Map<String, List<Integer>> atB = collect(b);
        AtomicInteger rung = new AtomicInteger();
        b.onDoorbell("revocations", rung::incrementAndGet);
        await().atMost(Duration.ofSeconds(5)).until(() -> !backendsQuietly("listen node-b").isEmpty());

        List<Long> waits = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            a.send("node-b", message("node-a", round));
            int expected = round + 1;
            // one backstop interval plus the read itself
            await().atMost(PgBus.INBOX_BACKSTOP.plusMillis(750)).pollInterval(Duration.ofMillis(5))
                    .until(() -> atB.getOrDefault("node-a", List.of()).size() == expected);
            waits.add(System.nanoTime() - t0);
        }
        assertThat(atB.get("node-a")).containsExactly(0, 1, 2, 3, 4);

        int before = rung.get();
        a.ring("revocations");
        await().atMost(Duration.ofMillis(2_500)).until(() -> rung.get() > before);
        figure(String.format("pg bus, NOTIFY suppressed: message arrives by the 1 s backstop in max %.0f ms (5 rounds)",
                percentileMs(waits, 100)));
    }

    private List<Integer> backendsQuietly(String purpose) {
        try {
            return backends(purpose);
        } catch (java.sql.SQLException e) {
            return List.of();
        }
    }

    @Test
    void a_node_whose_listen_connection_is_killed_reconnects_and_keeps_receiving() throws Exception {
        PgBus a = bus("node-a", NEVER, NEVER);
        PgBus b = bus("node-b", NEVER, NEVER);
        Map<String, List<Integer>> atB = collect(b);
        await().atMost(Duration.ofSeconds(5)).until(() -> backendsQuietly("listen node-b").size() == 1);
        List<Integer> first = backends("listen node-b");

        assertThat(terminate("listen node-b")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            List<Integer> now = backendsQuietly("listen node-b");
            return now.size() == 1 && !now.equals(first);
        });
        // with the backstop out of reach, only NOTIFY on the new connection (or its one catch-up read) delivers
        for (int i = 0; i < 5; i++) {
            a.send("node-b", message("node-a", i));
            int expected = i + 1;
            await().atMost(Duration.ofSeconds(2)).until(() -> atB.getOrDefault("node-a", List.of()).size() == expected);
        }
        assertThat(atB.get("node-a")).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void messages_wait_in_the_table_until_a_handler_is_set() {
        PgBus a = bus("node-a", PgBus.INBOX_BACKSTOP, PgBus.DOORBELL_BACKSTOP);
        JdbcStore storeB = store();
        PgBus b = bus(storeB, "node-b", PgBus.INBOX_BACKSTOP, PgBus.DOORBELL_BACKSTOP);
        a.send("node-b", message("node-a", 0));
        a.send("node-b", message("node-a", 1));
        // NOTIFY and backstop rounds come and go; without a handler nothing is taken out
        await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(3))
                .until(() -> storeB.nodeInbox().pending("node-b", 10).size() == 2);
        Map<String, List<Integer>> atB = collect(b);
        await().atMost(Duration.ofSeconds(3)).until(() -> atB.getOrDefault("node-a", List.of()).size() == 2);
        assertThat(atB.get("node-a")).containsExactly(0, 1);
    }

    @Test
    void a_message_to_this_node_skips_the_database_and_a_full_size_body_crosses_it() {
        // neither NOTIFY nor a backstop read: only the short cut can deliver
        PgBus s = bus("node-s", NEVER, NEVER);
        s.suppressNotify();
        List<NodeMessage> atS = Collections.synchronizedList(new ArrayList<>());
        s.onMessage(atS::add);
        s.send("node-s", message("node-s", 7));
        await().atMost(Duration.ofSeconds(2)).until(() -> atS.size() == 1);
        assertThat(atS.get(0).deviceId()).isEqualTo("dev-7");

        PgBus a = bus("node-a", NEVER, NEVER);
        PgBus b = bus("node-b", NEVER, NEVER);
        List<NodeMessage> atA = Collections.synchronizedList(new ArrayList<>());
        a.onMessage(atA::add);
        List<NodeMessage> atB = Collections.synchronizedList(new ArrayList<>());
        b.onMessage(atB::add);
        byte[] full = new byte[NodeMessage.MAX_BODY_BYTES];
        full[full.length - 1] = 42;
        b.send("node-a", new NodeMessage(NodeMessage.METHOD_RESULT, "node-b", "dev-1", 3, "corr-1", full));
        a.send("node-b", new NodeMessage(NodeMessage.METHOD_INVOKE, "node-a", "dev-1", 3, "corr-1", full));
        await().atMost(Duration.ofSeconds(2)).until(() -> atB.size() == 1);
        NodeMessage m = atB.get(0);
        assertThat(m.type()).isEqualTo(NodeMessage.METHOD_INVOKE);
        assertThat(m.from()).isEqualTo("node-a");
        assertThat(m.epoch()).isEqualTo(3);
        assertThat(m.correlation()).isEqualTo("corr-1");
        assertThat(m.body()).isEqualTo(full);
        await().atMost(Duration.ofSeconds(2)).until(() -> atA.size() == 1);
        assertThat(atA.get(0).body()).isEqualTo(full);
    }
}
