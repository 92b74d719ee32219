package dev.imprint.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.hub.AwsTopics.Kind;
import dev.imprint.mqtt.TopicPolicy;
import dev.imprint.shadow.ShadowEvents;
import dev.imprint.shadow.ShadowLimits;
import dev.imprint.shadow.Shadows;
import dev.imprint.store.EnrollmentRecord;
import dev.imprint.store.JdbcStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AWS dialect's default policy, topic matching and where an enrollment's policy comes from, both ways. */
class AwsTopicsTest {
    private final AwsTopics t = new AwsTopics("th-1");

    @TempDir
    Path dir;

    @Test
    void a_thing_publishes_telemetry_and_shadow_requests_under_its_own_name_only() {
        assertThat(t.publishKind("dt/th-1/temp")).isEqualTo(Kind.TELEMETRY);
        assertThat(t.publishKind("dt/th-1")).isEqualTo(Kind.TELEMETRY);
        assertThat(t.publishKind("things/th-1/a/b")).isEqualTo(Kind.TELEMETRY);
        assertThat(t.publishKind("$aws/things/th-1/shadow/update")).isEqualTo(Kind.SHADOW_REQUEST);
        assertThat(t.publishKind("$aws/things/th-1/shadow/name/cfg/get")).isEqualTo(Kind.SHADOW_REQUEST);

        assertThat(t.publishKind("dt/th-10/temp")).isEqualTo(Kind.FOREIGN);
        assertThat(t.publishKind("dt/th-2/temp")).isEqualTo(Kind.FOREIGN);
        assertThat(t.publishKind("dtx/th-1")).isEqualTo(Kind.FOREIGN);
        assertThat(t.publishKind("$aws/things/th-2/shadow/update")).isEqualTo(Kind.FOREIGN);
        // answers and events are the server's to publish
        assertThat(t.publishKind("$aws/things/th-1/shadow/update/accepted")).isEqualTo(Kind.FOREIGN);
        assertThat(t.publishKind("$aws/things/th-1/shadow/update/delta")).isEqualTo(Kind.FOREIGN);
    }

    @Test
    void a_thing_subscribes_inside_its_namespaces_only() {
        assertThat(t.maySubscribe("$aws/things/th-1/shadow/get/+")).isTrue();
        assertThat(t.maySubscribe("$aws/things/th-1/shadow/#")).isTrue();
        assertThat(t.maySubscribe("cmd/th-1/#")).isTrue();
        assertThat(t.maySubscribe("things/th-1/x")).isTrue();

        assertThat(t.maySubscribe("#")).isFalse();
        assertThat(t.maySubscribe("$aws/things/+/shadow/get/+")).isFalse();
        assertThat(t.maySubscribe("$aws/things/th-2/shadow/get/+")).isFalse();
        assertThat(t.maySubscribe("$aws/things/th-1/jobs/notify")).isFalse();
        assertThat(t.maySubscribe("cmd/th-10/#")).isFalse();
    }

    @Test
    void filters_match_as_mqtt_says() {
        assertThat(AwsTopics.matches("a/+/c", "a/b/c")).isTrue();
        assertThat(AwsTopics.matches("a/#", "a")).isTrue();
        assertThat(AwsTopics.matches("a/#", "a/b/c")).isTrue();
        assertThat(AwsTopics.matches("a/b", "a/b")).isTrue();
        assertThat(AwsTopics.matches("a/+", "a/b/c")).isFalse();
        assertThat(AwsTopics.matches("a/b/c", "a/b")).isFalse();
        assertThat(AwsTopics.matches("a/+/c", "a/b/d")).isFalse();
    }

    @Test
    void fleet_provisioning_requests_and_their_answer_filters_are_open_to_every_thing_and_nothing_around_them() {
        assertThat(t.publishKind("$aws/certificates/create-from-csr/json")).isEqualTo(Kind.PROVISIONING);
        assertThat(t.publishKind("$aws/certificates/create/json")).isEqualTo(Kind.PROVISIONING);
        assertThat(t.publishKind("$aws/provisioning-templates/default/provision/json")).isEqualTo(Kind.PROVISIONING);
        assertThat(t.maySubscribe("$aws/certificates/create-from-csr/json/accepted")).isTrue();
        assertThat(t.maySubscribe("$aws/certificates/create-from-csr/json/+")).isTrue();
        assertThat(t.maySubscribe("$aws/provisioning-templates/default/provision/json/rejected")).isTrue();

        // answers are the server's; CBOR, other levels and wildcards in the template are not served
        assertThat(t.publishKind("$aws/certificates/create-from-csr/json/accepted")).isEqualTo(Kind.FOREIGN);
        assertThat(t.publishKind("$aws/certificates/create-from-csr/cbor")).isEqualTo(Kind.FOREIGN);
        assertThat(t.publishKind("$aws/provisioning-templates/a/b/provision/json")).isEqualTo(Kind.FOREIGN);
        assertThat(t.publishKind("$aws/provisioning-templates//provision/json")).isEqualTo(Kind.FOREIGN);
        assertThat(t.maySubscribe("$aws/certificates/#")).isFalse();
        assertThat(t.maySubscribe("$aws/provisioning-templates/+/provision/json/accepted")).isFalse();
        assertThat(t.maySubscribe("$aws/certificates/create-from-csr/json/accepted/x")).isFalse();
    }

    @Test
    void an_enrollments_policy_adds_telemetry_and_filters_but_never_a_shadow_of_another_thing() {
        AwsTopics p = new AwsTopics("th-1", new dev.imprint.mqtt.TopicPolicy(java.util.List.of("factory/${thing}/#", "#"),
                java.util.List.of("factory/${thing}/cmd/#")));
        assertThat(p.publishKind("factory/th-1/temp")).isEqualTo(Kind.TELEMETRY);
        assertThat(p.publishKind("dt/th-1/temp")).isEqualTo(Kind.TELEMETRY);
        assertThat(p.publishKind("$aws/things/th-2/shadow/update")).isEqualTo(Kind.FOREIGN);
        assertThat(p.maySubscribe("factory/th-1/cmd/+")).isTrue();
        assertThat(p.maySubscribe("factory/th-2/cmd/+")).isFalse();
        assertThat(t.publishKind("factory/th-1/temp")).isEqualTo(Kind.FOREIGN);
    }

    @Test
    void an_enrollments_policy_is_read_once_a_lifetime_and_an_edit_applies_from_the_next_connection_after_it() {
        try (JdbcStore store = JdbcStore.sqlite(dir.resolve("imprint.db"))) {
            store.enrollments().add(lineEnrollment("factory/${thing}/#"));
            AtomicLong nanos = new AtomicLong();
            AwsDialect aws = new AwsDialect(new Shadows(store.shadows(), new ShadowLimits(200, 6, 1024, 2), ShadowEvents.NONE,
                    Clock.systemUTC(), new SimpleMeterRegistry(), thing -> true), null, false, OwnershipTokens.newKey(), nanos::get);
            TopicPolicy first = aws.policy(store.enrollments(), "aws", "line");
            assertThat(first.publish()).containsExactly("factory/${thing}/#");

            assertThat(store.enrollments().update(lineEnrollment("plant/${thing}/#"))).isTrue();
            // a reconnect within the lifetime: the kept policy, no store read (a read would see the edit)
            nanos.addAndGet(AwsDialect.POLICY_LIFETIME.toNanos() - 1);
            assertThat(aws.policy(store.enrollments(), "aws", "line")).isSameAs(first);
            // from the end of the lifetime on: the edited policy
            nanos.incrementAndGet();
            assertThat(aws.policy(store.enrollments(), "aws", "line").publish()).containsExactly("plant/${thing}/#");
            // no enrollment, or one without a policy: the default policy alone
            assertThat(aws.policy(store.enrollments(), "aws", null)).isEqualTo(TopicPolicy.NONE);
            assertThat(aws.policy(store.enrollments(), "aws", "gone")).isEqualTo(TopicPolicy.NONE);
        }
    }

    private static EnrollmentRecord lineEnrollment(String publish) {
        Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
        return new EnrollmentRecord("line", "individual", null, null, "th-1", "static", "{}", List.of(), "{}", "{}", "never", true, t0, t0,
                "{\"publish\":[\"" + publish + "\"],\"subscribe\":[]}");
    }
}
