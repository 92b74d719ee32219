package dev.imprint.device.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The AWS dialect's reading and writing of the wire, without a server: topics, bodies, answers, refusals, the shadow as a twin. */
class AwsWireTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode json(byte[] b) throws Exception {
        return JSON.readTree(b);
    }

    @Test
    void topics_stay_inside_the_default_policy_of_the_thing() {
        assertThat(AwsWire.telemetryTopic("t-1")).isEqualTo("dt/t-1/telemetry");
        assertThat(AwsWire.shadow("t-1")).isEqualTo("$aws/things/t-1/shadow");
        assertThat(AwsWire.registerThing("default")).isEqualTo("$aws/provisioning-templates/default/provision/json");
        // exact reply filters, as the SDK's V2 identity client subscribes
        assertThat(AwsWire.provisioningFilters("fleet")).containsExactly("$aws/certificates/create-from-csr/json/accepted",
                "$aws/certificates/create-from-csr/json/rejected", "$aws/provisioning-templates/fleet/provision/json/accepted",
                "$aws/provisioning-templates/fleet/provision/json/rejected");
        assertThat(AwsWire.sessionFilters("t-1")).allMatch(f -> f.startsWith("$aws/things/t-1/shadow/") || f.startsWith(AwsWire.FROM_CSR + "/"))
                .contains("$aws/things/t-1/shadow/update/delta");
    }

    @Test
    void requests_carry_the_csr_the_token_the_thing_and_the_client_token() throws Exception {
        assertThat(json(AwsWire.fromCsr("PEM")).path("certificateSigningRequest").asText()).isEqualTo("PEM");
        JsonNode reg = json(AwsWire.registerThingBody("default", "tok", Map.of("ThingName", "t-1")));
        assertThat(reg.path("templateName").asText()).isEqualTo("default");
        assertThat(reg.path("certificateOwnershipToken").asText()).isEqualTo("tok");
        assertThat(reg.path("parameters").path("ThingName").asText()).isEqualTo("t-1");
        JsonNode up = json(AwsWire.shadowUpdate("{\"fw\":\"1.0\"}", "c-1"));
        assertThat(up.path("state").path("reported").path("fw").asText()).isEqualTo("1.0");
        assertThat(up.path("clientToken").asText()).isEqualTo("c-1");
        assertThat(up.path("state").has("desired")).isFalse();
        assertThat(json(AwsWire.tokenOnly("c-2")).path("clientToken").asText()).isEqualTo("c-2");
    }

    @Test
    void a_reported_state_that_is_not_json_is_refused_before_it_is_sent() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AwsWire.shadowUpdate("{", "c"))
                .isInstanceOfSatisfying(CloudException.class, e -> assertThat(e.code()).isEqualTo("INVALID_JSON"));
    }

    @Test
    void answers_are_matched_by_request_topic_and_client_token() {
        AwsWire.Answer a = AwsWire.answer("$aws/things/t/shadow/update/accepted", b("{\"version\":3,\"clientToken\":\"c-7\"}"));
        assertThat(a.request()).isEqualTo("$aws/things/t/shadow/update");
        assertThat(a.token()).isEqualTo("c-7");
        assertThat(a.accepted()).isTrue();
        AwsWire.Answer p = AwsWire.answer(AwsWire.FROM_CSR + "/rejected", b("{\"statusCode\":400}"));
        assertThat(p.request()).isEqualTo(AwsWire.FROM_CSR);
        assertThat(p.token()).isEmpty();
        assertThat(p.accepted()).isFalse();
        // neither an answer topic nor JSON: nothing to match, never a crash
        assertThat(AwsWire.answer("$aws/things/t/shadow/update/delta", b("{}"))).isNull();
        assertThat(AwsWire.answer("$aws/things/t/shadow/get/accepted", b("not json")).body().isObject()).isTrue();
    }

    @Test
    void provisioning_refusals_carry_the_servers_reason_and_only_overload_is_worth_a_retry() throws Exception {
        CloudException revoked = AwsWire.rejection(JSON.readTree(
                "{\"statusCode\":403,\"errorCode\":\"TEMPLATE_MISMATCH\",\"errorMessage\":\"template 'x' does not cover device d\"}"));
        assertThat(revoked.code()).isEqualTo("TEMPLATE_MISMATCH");
        assertThat(revoked.permanent()).isTrue();
        assertThat(revoked.getMessage()).contains("does not cover");
        CloudException busy = AwsWire.rejection(JSON.readTree("{\"statusCode\":503,\"errorCode\":\"PROVISIONING_UNAVAILABLE\"}"));
        assertThat(busy.permanent()).isFalse();
        assertThat(AwsWire.rejection(JSON.readTree("{\"statusCode\":429,\"errorCode\":\"RATE_LIMITED\"}")).permanent()).isFalse();
        // the shadow's rejections: code and message, worth asking again (409 after a newer version, 404 before the first update)
        CloudException conflict = AwsWire.rejection(JSON.readTree("{\"code\":409,\"message\":\"Version conflict\",\"clientToken\":\"c\"}"));
        assertThat(conflict.code()).isEqualTo("SHADOW_STATUS_409");
        assertThat(conflict.permanent()).isFalse();
    }

    @Test
    void the_classic_shadow_is_seen_as_the_twin_with_the_document_version() throws Exception {
        Twin t = Twin.parse(AwsWire.twinOfShadow(JSON.readTree(
                "{\"state\":{\"desired\":{\"led\":\"on\"},\"reported\":{\"led\":\"off\"},\"delta\":{\"led\":\"on\"}},\"version\":4}")));
        assertThat(t.desired().path("led").asText()).isEqualTo("on");
        assertThat(t.desiredVersion()).isEqualTo(4);
        assertThat(t.reported().path("led").asText()).isEqualTo("off");
        assertThat(t.reportedVersion()).isEqualTo(4);
        // a shadow with reported state only: no desired document to hand over
        Twin reportedOnly = Twin.parse(AwsWire.twinOfShadow(JSON.readTree("{\"state\":{\"reported\":{\"a\":1}},\"version\":2}")));
        assertThat(reportedOnly.desiredVersion()).isEqualTo(-1);
    }

    @Test
    void a_delta_becomes_a_desired_patch_with_the_accepted_updates_version() throws Exception {
        JsonNode patch = json(AwsWire.patchOfDelta(b("{\"version\":7,\"timestamp\":1,\"state\":{\"led\":\"on\",\"cfg\":{\"rate\":5}}}")));
        assertThat(patch.path("led").asText()).isEqualTo("on");
        assertThat(patch.path("cfg").path("rate").asInt()).isEqualTo(5);
        assertThat(patch.path("$version").asLong()).isEqualTo(7);
        assertThat(json(AwsWire.patchOfDelta(b("garbage"))).path("$version").asLong()).isEqualTo(-1);
    }

    @Test
    void application_properties_travel_as_mqtt5_user_properties() {
        MqttProperties p = AwsWire.userProperties("seq=4&unit=deg%20C&flag");
        @SuppressWarnings("unchecked")
        var up = (java.util.List<io.netty.handler.codec.mqtt.MqttProperties.StringPair>) p.getProperty(MqttProperties.USER_PROPERTY).value();
        assertThat(up).extracting(s -> s.key + "=" + s.value).containsExactly("seq=4", "unit=deg C", "flag=");
        assertThat(AwsWire.userProperties("")).isSameAs(MqttProperties.NO_PROPERTIES);
    }

    @Test
    void refused_connacks_read_the_same_on_mqtt5_as_on_311_and_the_reason_string_is_the_servers_code() {
        assertThat(AwsWire.connackCode(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5)).isEqualTo("CONNACK_NOT_AUTHORIZED");
        assertThat(AwsWire.connackCode(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED)).isEqualTo("CONNACK_NOT_AUTHORIZED");
        assertThat(AwsWire.connackCode(MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID)).isEqualTo("CONNACK_IDENTIFIER_REJECTED");
        assertThat(AwsWire.connackCode(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY)).isEqualTo("CONNACK_SERVER_UNAVAILABLE");
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.StringProperty(MqttProperties.REASON_STRING, "REVOKED"));
        assertThat(AwsWire.reasonString(p)).isEqualTo("REVOKED");
        assertThat(AwsWire.reasonString(MqttProperties.NO_PROPERTIES)).isNull();
        assertThat(AwsWire.reasonString(null)).isNull();
    }
}
