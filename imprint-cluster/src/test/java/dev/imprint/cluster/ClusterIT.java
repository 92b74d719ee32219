package dev.imprint.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.imprint.store.JdbcStore;
import dev.imprint.store.NodeNameTakenException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Two nodes built the way the server builds them ({@link Cluster#postgres}), on a real PostgreSQL. */
class ClusterIT extends ClusterPostgres {

    @Test
    void two_nodes_see_each_other_exchange_a_method_call_and_a_clean_stop_leaves_no_row() throws Exception {
        JdbcStore storeA = store();
        Cluster a = closing(Cluster.postgres("node-a", Set.of("ca", "admin"), "10.0.0.1", storeA, clusterDatabase(), () -> { }));
        List<String> deadAtA = new CopyOnWriteArrayList<>();
        a.membership().onNodeDead(deadAtA::add);
        JdbcStore storeB = store();
        Cluster b = Cluster.postgres("node-b", Set.of("hub:hub-1"), "10.0.0.2", storeB, clusterDatabase(), () -> { });
        storeB.sessions().claim("dev-1", "hub-1", "node-b", java.time.Instant.now()).join();

        assertThatThrownBy(() -> Cluster.postgres("node-b", Set.of("dps"), "10.0.0.3", store(), clusterDatabase(), () -> { }))
                .isInstanceOf(NodeNameTakenException.class);
        assertThat(a.membership().live("hub:hub-1")).extracting(NodeInfo::name).containsExactly("node-b");

        // a direct method: request to the session's node, answer back to the caller's inbox
        b.bus().onMessage(m -> b.bus().send(m.from(), new NodeMessage(NodeMessage.METHOD_RESULT, "node-b", m.deviceId(), m.epoch(),
                m.correlation(), "{\"status\":200}".getBytes())));
        List<NodeMessage> answers = new CopyOnWriteArrayList<>();
        a.bus().onMessage(answers::add);
        a.bus().send("node-b", new NodeMessage(NodeMessage.METHOD_INVOKE, "node-a", "dev-1", 4, "corr-9", "{}".getBytes()));
        await().atMost(Duration.ofSeconds(3)).until(() -> answers.size() == 1);
        assertThat(answers.get(0).type()).isEqualTo(NodeMessage.METHOD_RESULT);
        assertThat(answers.get(0).correlation()).isEqualTo("corr-9");

        assertThat(a.leadership().lead("crl:ca")).isTrue();
        assertThat(b.leadership().lead("crl:ca")).isFalse();

        b.close();
        assertThat(storeA.nodes().list()).extracting(r -> r.name()).containsExactly("node-a");
        // the server ends a backend a moment after its client closed the socket
        await().atMost(Duration.ofSeconds(5)).until(() -> backends("listen node-b").isEmpty() && backends("leader node-b").isEmpty());
        assertThat(deadAtA).as("a clean stop is not a death").isEmpty();
        assertThat(storeA.sessions().find("dev-1")).as("a clean stop takes its sessions").isEmpty();
    }

    @Test
    void a_single_process_opens_nothing_on_a_database() {
        try (Cluster one = Cluster.single("local", Set.of("ca", "admin", "dps", "hub:hub-1"), "127.0.0.1")) {
            assertThat(one.membership()).isInstanceOf(LocalMembership.class);
            assertThat(one.bus()).isInstanceOf(LocalBus.class);
            assertThat(one.leadership().lead("crl:any")).isTrue();
        }
    }
}
