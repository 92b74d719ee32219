package dev.imprint.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code cluster} section: node name, roles, bind and health addresses; what one process and a node may not do. */
class ClusterConfigTest {
    private static final String PG = "jdbc:postgresql://127.0.0.1:5432/imprint";

    @TempDir
    Path dir;

    @Test
    void one_process_by_default_runs_every_role_with_no_cluster_machinery() {
        ImprintConfig.Cluster c = ConfigLoader.load(dir, Map.of()).cluster();
        assertThat(c.clustered()).isFalse();
        assertThat(c.roles()).isEqualTo(Roles.ALL);
        assertThat(c.roles().servesHub("hub-2")).isTrue();
        assertThat(c.bind(new ImprintConfig.Listener("127.0.0.3", 8883))).isEqualTo(new ImprintConfig.Listener("127.0.0.3", 8883));
        assertThat(c.health()).isNull();
    }

    @Test
    void a_node_on_postgresql_with_its_roles_bind_and_health() throws Exception {
        Files.writeString(dir.resolve("imprint.yaml"), "store:\n  url: " + PG + "\ncluster:\n  node: hub-a\n  roles: hub:hub-1\n");
        ImprintConfig c = ConfigLoader.load(dir, Map.of("IMPRINT_CLUSTER_BIND", "127.0.1.5", "IMPRINT_CLUSTER_HEALTH", "127.0.1.5:9100"));
        ImprintConfig.Cluster cl = c.cluster();
        assertThat(cl.node()).isEqualTo("hub-a");
        assertThat(cl.roles().servesHub("hub-1")).isTrue();
        assertThat(cl.roles().servesHub("hub-2")).isFalse();
        assertThat(cl.roles().ca()).isFalse();
        assertThat(cl.roles().names(List.of("hub-1", "hub-2"))).containsExactly("hub:hub-1");
        assertThat(cl.bind(c.hubs().get(0).listener())).isEqualTo(new ImprintConfig.Listener("127.0.1.5", 8883));
        assertThat(cl.health()).isEqualTo(new ImprintConfig.Listener("127.0.1.5", 9100));
        // the public address (certificates, endpoints, DPS hub records) stays the configured one
        assertThat(c.hubs().get(0).hostname()).isEqualTo("127.0.0.3");
    }

    @Test
    void a_node_name_on_the_embedded_sqlite_store_is_refused_naming_postgresql() {
        assertThatThrownBy(() -> ConfigLoader.load(dir, Map.of("IMPRINT_CLUSTER_NODE", "n1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cluster.node")
                .hasMessageContaining("several nodes need PostgreSQL");
    }

    @Test
    void each_bad_roles_value_is_refused_with_its_reason() {
        Map<String, String> pg = Map.of("IMPRINT_STORE_URL", PG, "IMPRINT_CLUSTER_NODE", "n1");
        assertThatThrownBy(() -> ConfigLoader.load(dir, with(pg, "IMPRINT_CLUSTER_ROLES", "ca,cache")))
                .hasMessageContaining("unknown role 'cache'");
        assertThatThrownBy(() -> ConfigLoader.load(dir, with(pg, "IMPRINT_CLUSTER_ROLES", "admin")))
                .hasMessageContaining("admin needs ca on the same node");
        assertThatThrownBy(() -> ConfigLoader.load(dir, with(pg, "IMPRINT_CLUSTER_ROLES", "hub:hub-9")))
                .hasMessageContaining("hub:hub-9 is not in the hubs list");
        assertThatThrownBy(() -> ConfigLoader.load(dir, Map.of("IMPRINT_CLUSTER_ROLES", "dps")))
                .hasMessageContaining("roles other than 'all' need a node name");
        assertThatThrownBy(() -> ConfigLoader.load(dir, with(pg, "IMPRINT_CLUSTER_NODE", "-bad name")))
                .hasMessageContaining("is not 1-63 of");
        assertThatThrownBy(() -> ConfigLoader.load(dir, with(pg, "IMPRINT_CLUSTER_HEALTH", "127.0.0.1")))
                .hasMessageContaining("is not address:port");
    }

    @Test
    void the_node_bus_is_postgresql_by_default_kafka_when_chosen_with_a_bootstrap_and_refused_without_one_or_unknown() {
        Map<String, String> pg = Map.of("IMPRINT_STORE_URL", PG, "IMPRINT_CLUSTER_NODE", "n1");
        assertThat(ConfigLoader.load(dir, pg).cluster().bus()).isEqualTo(ImprintConfig.Bus.POSTGRESQL);
        ImprintConfig c = ConfigLoader.load(dir, with(with(pg, "IMPRINT_CLUSTER_BUS", "kafka"), "IMPRINT_KAFKA_BOOTSTRAP", "127.0.17.9:9092"));
        assertThat(c.cluster().bus()).isEqualTo(ImprintConfig.Bus.KAFKA);
        assertThat(c.kafka().nodeTopicPrefix()).isEqualTo("imprint.node.");
        assertThat(c.kafka().doorbellTopic()).isEqualTo("imprint.doorbells");
        assertThatThrownBy(() -> ConfigLoader.load(dir, with(pg, "IMPRINT_CLUSTER_BUS", "kafka")))
                .hasMessageContaining("cluster.bus").hasMessageContaining("needs kafka.bootstrap");
        assertThatThrownBy(() -> ConfigLoader.load(dir, with(pg, "IMPRINT_CLUSTER_BUS", "redis")))
                .hasMessageContaining("'redis' is neither postgresql nor kafka");
        assertThatThrownBy(() -> ConfigLoader.load(dir, with(with(pg, "IMPRINT_KAFKA_BOOTSTRAP", "127.0.17.9:9092"),
                "IMPRINT_KAFKA_NODE_TOPIC_PREFIX", "bad prefix/")))
                .hasMessageContaining("kafka.nodeTopicPrefix").hasMessageContaining("is not a Kafka topic name");
    }

    @Test
    void roles_parse_all_and_lists() {
        assertThat(Roles.parse("all")).isEqualTo(Roles.ALL);
        assertThat(Roles.parse("")).isEqualTo(Roles.ALL);
        Roles r = Roles.parse("ca, admin,dps,hub:hub-1,hub:hub-1");
        assertThat(r.names(List.of())).containsExactly("ca", "admin", "dps", "hub:hub-1");
        assertThat(Roles.ALL.names(List.of("hub-1", "hub-2"))).containsExactly("ca", "admin", "dps", "hub:hub-1", "hub:hub-2");
    }

    private static Map<String, String> with(Map<String, String> base, String k, String v) {
        var m = new java.util.HashMap<>(base);
        m.put(k, v);
        return m;
    }
}
