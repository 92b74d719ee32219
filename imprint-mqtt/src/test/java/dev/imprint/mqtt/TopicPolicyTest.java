package dev.imprint.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An enrollment's extra topic filters: ${thing} substitution, literal names, and what can never be saved. */
class TopicPolicyTest {
    private final TopicPolicy p = new TopicPolicy(List.of("factory/${thing}/#", "line/+/${thing}", "fleet/th-9/status"),
            List.of("factory/${thing}/cmd/#"));

    @Test
    void thing_stands_for_the_connecting_devices_name() {
        assertThat(p.grantsPublish("th-1", "factory/th-1/temp")).isTrue();
        assertThat(p.grantsPublish("th-1", "factory/th-1")).isTrue();
        assertThat(p.grantsPublish("th-1", "line/7/th-1")).isTrue();

        assertThat(p.grantsPublish("th-1", "factory/th-2/temp")).isFalse();
        assertThat(p.grantsPublish("th-1", "factory/th-10/temp")).isFalse();
        assertThat(p.grantsPublish("th-1", "line/7/th-2")).isFalse();
        assertThat(p.grantsPublish("th-1", "line/7/8/th-1")).isFalse();
        assertThat(p.grantsPublish("th-1", "dt/th-1/temp")).isFalse();
    }

    @Test
    void another_things_topic_is_granted_only_when_the_admin_wrote_it_literally() {
        assertThat(p.grantsPublish("th-1", "fleet/th-9/status")).isTrue();
        assertThat(p.grantsPublish("th-2", "fleet/th-9/status")).isTrue();
        assertThat(p.grantsPublish("th-1", "fleet/th-1/status")).isFalse();
        // a name that would add a wildcard or a level when substituted grants nothing
        assertThat(p.grantsPublish("+", "factory/x/temp")).isFalse();
        assertThat(p.grantsPublish("a/b", "factory/a/b/temp")).isFalse();
    }

    @Test
    void a_subscription_is_granted_only_inside_a_policy_filter() {
        assertThat(p.grantsSubscribe("th-1", "factory/th-1/cmd/#")).isTrue();
        assertThat(p.grantsSubscribe("th-1", "factory/th-1/cmd/+")).isTrue();
        assertThat(p.grantsSubscribe("th-1", "factory/th-1/cmd")).isTrue();

        assertThat(p.grantsSubscribe("th-1", "factory/th-1/#")).isFalse();
        assertThat(p.grantsSubscribe("th-1", "factory/+/cmd/#")).isFalse();
        assertThat(p.grantsSubscribe("th-1", "factory/th-2/cmd/#")).isFalse();
        assertThat(p.grantsSubscribe("th-1", "#")).isFalse();
        assertThat(new TopicPolicy(List.of(), List.of("a/+/b")).grantsSubscribe("t", "a/+/b")).isTrue();
        assertThat(new TopicPolicy(List.of(), List.of("a/+/b")).grantsSubscribe("t", "a/#")).isFalse();
    }

    @Test
    void reserved_topics_and_malformed_filters_cannot_be_saved_each_with_its_reason() {
        assertThat(p.problems()).isEmpty();
        assertThat(codes(new TopicPolicy(List.of("$aws/things/${thing}/shadow/update"), null))).containsExactly("RESERVED_TOPIC");
        assertThat(codes(new TopicPolicy(null, List.of("$SYS/#")))).containsExactly("RESERVED_TOPIC");
        assertThat(codes(new TopicPolicy(List.of("a/#/b"), null))).containsExactly("BAD_TOPIC_FILTER");
        assertThat(codes(new TopicPolicy(List.of("a/b+"), null))).containsExactly("BAD_TOPIC_FILTER");
        assertThat(codes(new TopicPolicy(List.of(""), null))).containsExactly("BAD_TOPIC_FILTER");
        assertThat(codes(new TopicPolicy(List.of("a/" + "x".repeat(TopicPolicy.MAX_LENGTH)), null))).containsExactly("BAD_TOPIC_FILTER");
        assertThat(codes(new TopicPolicy(Collections.nCopies(TopicPolicy.MAX_FILTERS + 1, "a/#"), null))).containsExactly("TOO_MANY_FILTERS");
        // even a wildcard filter never grants a $ topic at run time
        assertThat(new TopicPolicy(List.of("#"), List.of("#")).grantsPublish("t", "$aws/things/t/shadow/update")).isFalse();
        assertThat(new TopicPolicy(List.of("#"), List.of("#")).grantsSubscribe("t", "$aws/things/t/shadow/#")).isFalse();
    }

    private static List<String> codes(TopicPolicy policy) {
        return policy.problems().stream().map(TopicPolicy.Problem::code).toList();
    }
}
