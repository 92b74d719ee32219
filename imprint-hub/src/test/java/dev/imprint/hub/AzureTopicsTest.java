package dev.imprint.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AzureTopicsTest {
    final AzureTopics t = new AzureTopics("dev-1");

    @Test
    void telemetry_properties_are_decoded_as_the_sdk_encodes_them() {
        String topic = "devices/dev-1/messages/events/$.mid=msg-1&$.ct=application%2Fjson&alert=no%20way";
        assertThat(t.isTelemetry(topic)).isTrue();
        assertThat(t.telemetryProperties(topic)).containsEntry("$.mid", "msg-1").containsEntry("$.ct", "application/json")
                .containsEntry("alert", "no way");
        assertThat(t.isTelemetry("devices/dev-1/messages/events")).isTrue();
        assertThat(t.isTelemetry("devices/dev-2/messages/events/")).isFalse();
        assertThat(t.isTelemetry("devices/dev-10/messages/events/")).isFalse();
    }

    @Test
    void only_the_devices_own_filters_are_known() {
        assertThat(t.filterKind("devices/dev-1/messages/devicebound/#")).isEqualTo(AzureTopics.Kind.C2D);
        assertThat(t.filterKind("$iothub/twin/res/#")).isEqualTo(AzureTopics.Kind.TWIN_RES);
        assertThat(t.filterKind("$iothub/methods/POST/#")).isEqualTo(AzureTopics.Kind.METHODS);
        assertThat(t.filterKind("$iothub/twin/PATCH/properties/desired/#")).isEqualTo(AzureTopics.Kind.TWIN_DESIRED);
        assertThat(t.filterKind("devices/dev-2/messages/devicebound/#")).isEqualTo(AzureTopics.Kind.FOREIGN);
        assertThat(t.filterKind("devices/+/messages/devicebound/#")).isEqualTo(AzureTopics.Kind.FOREIGN);
        assertThat(t.filterKind("#")).isEqualTo(AzureTopics.Kind.FOREIGN);
    }

    @Test
    void reply_topics_have_rid_before_version_and_three_digit_status() {
        assertThat(AzureTopics.twinResponse(204, "abc", 7L)).isEqualTo("$iothub/twin/res/204/?$rid=abc&$version=7");
        assertThat(AzureTopics.rid("$iothub/twin/GET/?$rid=42")).isEqualTo("42");
        assertThat(AzureTopics.methodStatus("$iothub/methods/res/200/?$rid=1")).isEqualTo(200);
        assertThat(AzureTopics.methodStatus("$iothub/methods/res/abc/?$rid=1")).isEqualTo(-1);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("$.mid", "m1");
        p.put("color", "dark red");
        assertThat(t.devicebound(p)).isEqualTo("devices/dev-1/messages/devicebound/%24.mid=m1&color=dark%20red");
    }

    @Test
    void a_devicebound_filter_is_the_devices_own_only_without_wildcards_in_it() {
        assertThat(t.filterKind("devices/dev-1/messages/devicebound/x")).isEqualTo(AzureTopics.Kind.C2D);
        assertThat(t.filterKind("devices/dev-1/messages/devicebound/+")).isEqualTo(AzureTopics.Kind.FOREIGN);
        assertThat(t.filterKind("devices/dev-1/messages/devicebound/+/#")).isEqualTo(AzureTopics.Kind.FOREIGN);
        assertThat(t.filterKind("devices/dev-10/messages/devicebound/#")).isEqualTo(AzureTopics.Kind.FOREIGN);
        assertThat(t.deviceId()).isEqualTo("dev-1");
    }

    @Test
    void pushes_and_queries_have_the_sdks_shape() {
        assertThat(AzureTopics.desiredPush(3)).isEqualTo("$iothub/twin/PATCH/properties/desired/?$version=3");
        assertThat(AzureTopics.methodRequest("reboot", "r1")).isEqualTo("$iothub/methods/POST/reboot/?$rid=r1");
        assertThat(AzureTopics.rid("?$rid=7")).isEqualTo("7");
        assertThat(AzureTopics.decodeProperties("=v&k=&%zz=bad")).containsEntry("", "v").containsEntry("k", "")
                .containsEntry("%zz", "bad");
    }
}
