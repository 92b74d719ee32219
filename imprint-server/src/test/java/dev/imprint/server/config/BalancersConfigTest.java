package dev.imprint.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cluster.balancers}: empty by default, a YAML list or an env comma list, every bad entry reported. */
class BalancersConfigTest {
    @TempDir
    Path dir;

    @Test
    void no_balancers_by_default() {
        assertThat(ConfigLoader.load(dir, Map.of()).balancers().isEmpty()).isTrue();
        assertThat(ConfigKey.CLUSTER_BALANCERS.env()).isEqualTo("IMPRINT_CLUSTER_BALANCERS");
    }

    @Test
    void yaml_list_and_env_override() throws Exception {
        Files.writeString(dir.resolve("imprint.yaml"), "cluster:\n  balancers: [127.0.0.30, 10.0.0.0/24]\n");
        var fromFile = ConfigLoader.load(dir, Map.of()).balancers();
        assertThat(fromFile.entries()).containsExactly("127.0.0.30", "10.0.0.0/24");
        assertThat(fromFile.contains(new InetSocketAddress("10.0.0.77", 1))).isTrue();
        var fromEnv = ConfigLoader.load(dir, Map.of("IMPRINT_CLUSTER_BALANCERS", "192.0.2.1")).balancers();
        assertThat(fromEnv.entries()).containsExactly("192.0.2.1");
    }

    @Test
    void host_names_and_bad_prefixes_are_problems() {
        assertThatThrownBy(() -> ConfigLoader.load(dir, Map.of("IMPRINT_CLUSTER_BALANCERS", "lb.example,10.0.0.0/40")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cluster.balancers (env IMPRINT_CLUSTER_BALANCERS)")
                .hasMessageContaining("lb.example").hasMessageContaining("10.0.0.0/40");
    }
}
