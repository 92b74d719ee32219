package dev.imprint.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LocalMembershipTest {
    @Test
    void one_process_is_the_whole_cluster_and_always_live() {
        try (LocalMembership m = new LocalMembership("local", Set.of("ca", "admin", "hub:hub-1"), "127.0.0.1:8443")) {
            m.onNodeDead(n -> { throw new AssertionError("no node dies in one process"); });
            assertThat(m.self()).isEqualTo("local");
            assertThat(m.nodes()).singleElement().satisfies(n -> {
                assertThat(n.pid()).isEqualTo(ProcessHandle.current().pid());
                assertThat(n.live(Instant.now().plusSeconds(365L * 24 * 3600))).isTrue();
            });
            assertThat(m.live("hub:hub-1")).extracting(NodeInfo::name).containsExactly("local");
            assertThat(m.live("dps")).isEmpty();
        }
    }
}
