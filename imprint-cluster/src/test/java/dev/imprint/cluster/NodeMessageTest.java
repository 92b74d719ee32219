package dev.imprint.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NodeMessageTest {
    @Test
    void a_body_of_64_kib_is_accepted_one_byte_more_is_refused_on_every_bus() {
        assertThat(new NodeMessage(NodeMessage.METHOD_RESULT, "a", "dev-1", 1, "c", new byte[64 * 1024]).body()).hasSize(65_536);
        assertThatThrownBy(() -> new NodeMessage(NodeMessage.METHOD_RESULT, "a", "dev-1", 1, "c", new byte[64 * 1024 + 1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a node message body may hold at most 65536 bytes; this METHOD_RESULT for dev-1 has 65537");
    }

    @Test
    void missing_correlation_and_body_are_empty() {
        NodeMessage m = NodeMessage.of(NodeMessage.C2D_READY, "a", "dev-1", 4);
        assertThat(m.correlation()).isEmpty();
        assertThat(m.body()).isEmpty();
    }

    @Test
    void inbox_channels_are_safe_identifiers_that_tell_near_names_apart() {
        assertThat(PgChannels.inbox("hub-1a")).matches("imprint_node_hub_1a_[0-9a-f]{8}");
        assertThat(PgChannels.inbox("Hub-1a")).isNotEqualTo(PgChannels.inbox("hub_1a"));
        assertThat(PgChannels.inbox("n".repeat(200)).length()).isLessThanOrEqualTo(63);
    }
}
