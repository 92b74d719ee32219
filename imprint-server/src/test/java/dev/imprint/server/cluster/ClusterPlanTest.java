package dev.imprint.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imprint.server.config.ConfigLoader;
import dev.imprint.server.config.ImprintConfig;
import dev.imprint.server.config.ImprintConfig.Listener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The layout laid over the configuration {@link ClusterConfigFile} writes, and HAProxy's configuration from it. */
class ClusterPlanTest {
    @TempDir
    Path dir;

    private ImprintConfig config(Layout layout) throws Exception {
        ClusterConfigFile.write(dir, layout, "jdbc:postgresql://127.0.0.1:5433/imprint", "imprint", "secret");
        return ConfigLoader.load(dir, Map.of());
    }

    @Test
    void default_layout_puts_the_lone_ca_node_on_the_public_addresses_and_balances_the_rest() throws Exception {
        Layout layout = Layout.parse(Layout.DEFAULT);
        ClusterPlan plan = ClusterPlan.of(layout, config(layout));
        assertThat(plan.nodes()).extracting(ClusterPlan.NodeSpec::name)
                .containsExactly("ca-admin-1", "dps-1", "dps-2", "hub-1-1", "hub-1-2", "hub-2-1", "hub-2-2");
        ClusterPlan.NodeSpec ca = plan.nodes().get(0);
        assertThat(ca.bind()).isNull();
        assertThat(ca.health()).isEqualTo(new Listener("127.0.1.1", ClusterPlan.HEALTH_PORT));
        assertThat(plan.nodes().get(1).bind()).isEqualTo("127.0.1.2");
        assertThat(plan.services()).extracting(ClusterPlan.Service::name, s -> s.frontend().hostPort(), ClusterPlan.Service::balance)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("dps-https", "127.0.0.1:9443", "roundrobin"),
                        org.assertj.core.groups.Tuple.tuple("dps-mqtt", "127.0.0.2:8883", "leastconn"),
                        org.assertj.core.groups.Tuple.tuple("hub-hub-1", "127.0.0.3:8883", "leastconn"),
                        org.assertj.core.groups.Tuple.tuple("hub-hub-2", "127.0.0.4:8883", "leastconn"));
        assertThat(plan.services().get(2).servers()).extracting(ClusterPlan.Server::node, s -> s.target().hostPort())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("hub-1-1", "127.0.1.4:8883"),
                        org.assertj.core.groups.Tuple.tuple("hub-1-2", "127.0.1.5:8883"));
    }

    @Test
    void several_ca_nodes_are_balanced_on_pki_and_https_and_start_first() throws Exception {
        Layout layout = Layout.parse("hub:hub-1=1;ca,admin=2");
        ClusterPlan plan = ClusterPlan.of(layout, config(layout));
        assertThat(plan.nodes()).extracting(ClusterPlan.NodeSpec::name).containsExactly("ca-admin-1", "ca-admin-2", "hub-1-1");
        assertThat(plan.nodes()).allSatisfy(n -> assertThat(n.bind()).isEqualTo(n.address()));
        assertThat(plan.services()).extracting(ClusterPlan.Service::name).containsExactly("pki", "https", "hub-hub-1");
        assertThat(plan.services().get(0).servers()).extracting(s -> s.target().hostPort())
                .containsExactly("127.0.1.1:8080", "127.0.1.2:8080");
    }

    @Test
    void nodes_take_the_addresses_given() throws Exception {
        Layout layout = Layout.parse("ca,admin=1;dps=1");
        ImprintConfig config = config(layout);
        assertThat(ClusterPlan.of(layout, config, "127.0.77").nodes()).extracting(ClusterPlan.NodeSpec::address)
                .containsExactly("127.0.77.1", "127.0.77.2");
        assertThatThrownBy(() -> ClusterPlan.of(layout, config, "10.0.0")).hasMessageContaining("not three loopback octets");
        assertThatThrownBy(() -> ClusterPlan.of(layout, config, "127.0.300")).hasMessageContaining("not three loopback octets");
    }

    @Test
    void refuses_two_roles_on_one_port_of_a_node() throws Exception {
        Layout layout = Layout.parse("ca,admin=1;dps,hub:hub-1=1");
        ImprintConfig config = config(layout);
        assertThatThrownBy(() -> ClusterPlan.of(layout, config))
                .hasMessageContaining("'dps,hub:hub-1': dps-mqtt and hub-hub-1 both need port 8883");
        Layout twoHubs = Layout.parse("ca,admin=1;hub:a,hub:b=1");
        ImprintConfig c2 = config(twoHubs);
        assertThatThrownBy(() -> ClusterPlan.of(twoHubs, c2)).hasMessageContaining("both need port 8883");
    }

    @Test
    void haproxy_config_has_tcp_frontends_proxy_v2_from_the_balancer_and_health_checks() throws Exception {
        Layout layout = Layout.parse("ca,admin=1;dps=1;hub:hub-1=2");
        String cfg = HaproxyConfig.render(ClusterPlan.of(layout, config(layout)), dir.resolve("haproxy.sock"));
        assertThat(cfg).contains("    mode tcp\n")
                .contains("frontend hub-hub-1\n    bind 127.0.0.3:8883\n    default_backend hub-hub-1\n")
                .contains("backend hub-hub-1\n    balance leastconn\n    option httpchk GET /health\n")
                .contains("    server hub-1-1 127.0.1.3:8883 source 127.0.0.9 send-proxy-v2 check addr 127.0.1.3 port 8090\n")
                .contains("    server hub-1-2 127.0.1.4:8883 source 127.0.0.9 send-proxy-v2 check addr 127.0.1.4 port 8090\n")
                .contains("backend dps-https\n    balance roundrobin\n")
                .contains("    stats socket " + dir.resolve("haproxy.sock") + " mode 600 level user\n")
                .doesNotContain("8443").doesNotContain(":8080");
        assertThat(HaproxyConfig.render(ClusterPlan.of(layout, config(layout)), null, false))
                .contains("    server hub-1-1 127.0.1.3:8883 source 127.0.0.9 check addr 127.0.1.3 port 8090\n")
                .doesNotContain("send-proxy").doesNotContain("stats socket");
        Path haproxy = Path.of("/usr/sbin/haproxy");
        if (Files.isExecutable(haproxy)) { // the real checker, where the package is installed
            Path file = dir.resolve("haproxy.cfg");
            Files.writeString(file, cfg);
            Exec.Result r = Exec.run(List.of(haproxy.toString(), "-c", "-f", file.toString()), java.time.Duration.ofSeconds(20));
            assertThat(r.exit()).as(r.output()).isZero();
        }
    }

    @Test
    void the_config_file_keeps_the_operators_settings_and_owns_store_and_hubs() throws Exception {
        Files.writeString(dir.resolve("imprint.yaml"), """
                https:
                  port: 18443
                hub:
                  maxMessageBytes: 4096
                hubs:
                  - {name: hub-2, address: 127.0.0.7, port: 8883, connectTimeoutSeconds: 5}
                  - {name: old, address: 127.0.0.3, port: 8883}
                """);
        Layout layout = Layout.parse("ca,admin=1;hub:hub-1=1;hub:hub-2=1");
        ImprintConfig c = config(layout);
        assertThat(c.https().listener().port()).isEqualTo(18443);
        assertThat(c.pkiBaseUrl()).isEqualTo("http://127.0.0.1:8080");
        assertThat(c.store().url()).isEqualTo("jdbc:postgresql://127.0.0.1:5433/imprint");
        assertThat(c.store().password()).isEqualTo("secret");
        assertThat(c.dps().enabled()).isFalse();
        assertThat(c.hubs()).extracting(ImprintConfig.Hub::name, h -> h.listener().address())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("hub-1", "127.0.0.3"), org.assertj.core.groups.Tuple.tuple("hub-2", "127.0.0.7"));
        assertThat(c.hubs().get(1).limits().connectTimeout()).hasSeconds(5);
        assertThat(c.hubs().get(0).limits().maxMessageBytes()).isEqualTo(4096);
        assertThat(Files.getPosixFilePermissions(dir.resolve("imprint.yaml")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void cluster_up_with_kafka_puts_the_node_bus_on_kafka_unless_told_otherwise_and_without_a_choice_keeps_the_files() throws Exception {
        Layout layout = Layout.parse("ca,admin=1;hub:hub-1=2");
        String pg = "jdbc:postgresql://127.0.0.1:5433/imprint";
        ClusterConfigFile.write(dir, layout, pg, "imprint", "secret", "127.0.19.1:9092", ClusterCommand.Up.bus(null, true));
        assertThat(ConfigLoader.load(dir, Map.of()).cluster().bus()).isEqualTo(ImprintConfig.Bus.KAFKA);
        ClusterConfigFile.write(dir, layout, pg, "imprint", "secret", "127.0.19.1:9092", ClusterCommand.Up.bus("pg", true));
        assertThat(ConfigLoader.load(dir, Map.of()).cluster().bus()).isEqualTo(ImprintConfig.Bus.POSTGRESQL);
        ClusterConfigFile.write(dir, layout, pg, "imprint", "secret", "127.0.19.1:9092", ClusterCommand.Up.bus("kafka", false));
        // no --bus and no --kafka on a later run: the file's choice stays
        ClusterConfigFile.write(dir, layout, pg, "imprint", "secret", null, ClusterCommand.Up.bus(null, false));
        assertThat(ConfigLoader.load(dir, Map.of()).cluster().bus()).isEqualTo(ImprintConfig.Bus.KAFKA);
        assertThatThrownBy(() -> ClusterCommand.Up.bus("zookeeper", true)).hasMessageContaining("--bus: 'zookeeper' is neither postgresql (pg) nor kafka");
    }
}
