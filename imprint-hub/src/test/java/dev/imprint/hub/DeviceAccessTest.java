package dev.imprint.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.mqtt.ConnectOutcome;
import dev.imprint.pki.validation.ReasonCode;
import dev.imprint.pki.validation.Verdict;
import dev.imprint.store.DeviceRecord;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Who may connect: every refusal with its CONNACK code and reason code, and the admitted case beside it. */
class DeviceAccessTest {
    private static final Verdict DEV_9 = new Verdict.Accepted("urn:imprint:device:dev-9", List.of());

    @Test
    void admits_a_device_whose_client_id_is_its_certificate_identity() {
        assertThat(DeviceAccess.refuseConnect(DEV_9, "dev-9", null)).isNull();
        assertThat(DeviceAccess.refuseConnect(DEV_9, "dev-9", "127.0.0.3/dev-9/?api-version=2020-09-30")).isNull();
        assertThat(DeviceAccess.refuseConnect(new Verdict.Accepted("dev-7", List.of()), "dev-7", "plain")).isNull();
    }

    @Test
    void refuses_a_refused_certificate_with_the_validators_reason() {
        Verdict refused = new Verdict.Refused(Verdict.Step.REVOCATION, ReasonCode.REVOKED, "revoked at noon");
        assertThat(DeviceAccess.refuseConnect(refused, "dev-9", null)).isEqualTo(new ConnectOutcome.Refused(
                MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, "REVOKED", "certificate refused at step 3: revoked at noon"));
    }

    @Test
    void refuses_a_client_id_that_is_not_the_certificates_identity() {
        refused(DeviceAccess.refuseConnect(DEV_9, "dev-10", null), MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED,
                "IDENTITY_MISMATCH");
        refused(DeviceAccess.refuseConnect(DEV_9, "urn:imprint:device:dev-9", null),
                MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, "IDENTITY_MISMATCH");
    }

    @Test
    void refuses_an_azure_username_naming_another_device() {
        refused(DeviceAccess.refuseConnect(DEV_9, "dev-9", "127.0.0.3/dev-8/?api-version=2020-09-30"),
                MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD, "USERNAME_MISMATCH");
    }

    @Test
    void device_id_comes_from_the_imprint_san_uri_or_the_cn() {
        assertThat(DeviceAccess.deviceId("urn:imprint:device:dev-9")).isEqualTo("dev-9");
        assertThat(DeviceAccess.deviceId("dev-9")).isEqualTo("dev-9");
        assertThat(DeviceAccess.usernameMatches("127.0.0.3/dev-9/?api-version=2020-09-30&DeviceClientType=x", "dev-9")).isTrue();
        assertThat(DeviceAccess.usernameMatches("127.0.0.3/dev-9", "dev-9")).isTrue();
        assertThat(DeviceAccess.usernameMatches("127.0.0.3/dev-8/?api-version=2020-09-30", "dev-9")).isFalse();
        assertThat(DeviceAccess.usernameMatches("anything-without-a-slash", "dev-9")).isTrue();
    }

    @Test
    void registry_refusals_in_order_and_the_enrollment_asked_only_when_needed() {
        AtomicInteger asked = new AtomicInteger();
        assertThat(DeviceAccess.registryRefusal(record("hub-1", true), "hub-1", () -> asked.incrementAndGet() > 0)).isNull();
        assertThat(asked).hasValue(1);
        assertThat(DeviceAccess.registryRefusal(record("hub-2", true), "hub-1", () -> asked.incrementAndGet() > 0))
                .isEqualTo("NOT_ASSIGNED_TO_HUB");
        assertThat(DeviceAccess.registryRefusal(record("hub-1", false), "hub-1", () -> asked.incrementAndGet() > 0))
                .isEqualTo("DEVICE_DISABLED");
        assertThat(asked).hasValue(1);
        assertThat(DeviceAccess.registryRefusal(record("hub-1", true), "hub-1", () -> false)).isEqualTo("ENROLLMENT_DISABLED");
    }

    private static void refused(ConnectOutcome o, MqttConnectReturnCode code, String reason) {
        assertThat(o).isInstanceOf(ConnectOutcome.Refused.class);
        ConnectOutcome.Refused r = (ConnectOutcome.Refused) o;
        assertThat(r.code()).isEqualTo(code);
        assertThat(r.reason()).isEqualTo(reason);
    }

    private static DeviceRecord record(String hub, boolean enabled) {
        Instant t = Instant.EPOCH;
        return new DeviceRecord("dev-9", hub, enabled, "group-a", "{}", "{}", "assigned", "initialAssignment", "0a", 1, t, t);
    }
}
