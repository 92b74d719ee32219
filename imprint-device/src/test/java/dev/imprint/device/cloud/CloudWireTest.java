package dev.imprint.device.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imprint.pki.CryptoProviders;
import dev.imprint.testkit.TestPki;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK's reading of the wire without a server: DPS transport choice, MQTT topics, twin documents, c2d properties. */
class CloudWireTest {
    static TestPki pki;

    @BeforeAll
    static void pki() {
        CryptoProviders.install();
        pki = TestPki.create();
    }

    private static CloudConfig config(URI dpsMqtt) {
        return new CloudConfig(URI.create("https://127.0.0.1:9443"), "0neABC", URI.create("https://127.0.0.1:8443/.well-known/est"),
                List.of(pki.root()), Map.of(), dpsMqtt, null);
    }

    @Test
    void dps_transport_defaults_to_https_and_mqtt_survives_a_save_and_load(@TempDir Path dir) throws Exception {
        CloudConfig c = config(URI.create("mqtts://127.0.0.2:18883"));
        assertThat(c.dpsTransport()).isEqualTo(DpsTransport.HTTPS);
        c.withDpsTransport(DpsTransport.MQTT).save(dir.resolve(CloudConfig.FILE));
        CloudConfig back = CloudConfig.load(dir.resolve(CloudConfig.FILE));
        assertThat(back.dpsTransport()).isEqualTo(DpsTransport.MQTT);
        assertThat(back.dpsMqtt()).isEqualTo(URI.create("mqtts://127.0.0.2:18883"));
    }

    @Test
    void refuses_mqtt_without_a_dps_mqtt_address(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> config(null).withDpsTransport(DpsTransport.MQTT)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MQTT");
        config(null).save(dir.resolve("cloud.json"));
        String text = Files.readString(dir.resolve("cloud.json")).replace("\"https\"", "\"mqtt\"");
        Files.writeString(dir.resolve("cloud.json"), text);
        assertThatThrownBy(() -> CloudConfig.load(dir.resolve("cloud.json"))).hasMessageContaining("no DPS MQTT address");
        assertThatThrownBy(() -> DpsTransport.parse("coap")).hasMessageContaining("https or mqtt");
        assertThat(DpsTransport.parse(" MQTT ")).isEqualTo(DpsTransport.MQTT);
    }

    @Test
    void a_cloud_json_of_an_older_sdk_reads_as_https(@TempDir Path dir) throws Exception {
        new CloudConfig(URI.create("https://127.0.0.1:9443"), "s", URI.create("https://127.0.0.1:8443/e"), List.of(pki.root()), Map.of())
                .save(dir.resolve("cloud.json"));
        String old = Files.readString(dir.resolve("cloud.json")).replaceAll(",\\s*\"dpsTransport\"\\s*:\\s*\"https\"", "");
        Files.writeString(dir.resolve("cloud.json"), old);
        assertThat(old).doesNotContain("dpsTransport");
        assertThat(CloudConfig.load(dir.resolve("cloud.json")).dpsTransport()).isEqualTo(DpsTransport.HTTPS);
    }

    @Test
    void reads_status_rid_and_retry_after_of_a_dps_response_topic() {
        String topic = "$dps/registrations/res/429/?$rid=7&retry-after=3";
        assertThat(Mqtt.status(topic, MqttDpsExchange.RESPONSES)).isEqualTo(429);
        assertThat(Mqtt.param(topic, "$rid")).isEqualTo("7");
        assertThat(Mqtt.param(topic, "retry-after")).isEqualTo("3");
        assertThat(Mqtt.param("$dps/registrations/res/202/?$rid=1", "retry-after")).isEmpty();
        assertThat(Mqtt.status("$dps/registrations/res/xyz/?$rid=1", MqttDpsExchange.RESPONSES)).isEqualTo(-1);
        assertThat(Mqtt.status("$iothub/twin/res/204/?$rid=1&$version=4", "$iothub/twin/res/")).isEqualTo(204);
    }

    @Test
    void twin_document_gives_desired_and_reported_with_versions() {
        Twin t = Twin.parse("{\"desired\":{\"fw\":\"2.0\",\"$version\":3},\"reported\":{\"fw\":\"1.0\",\"$version\":5}}"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(t.desired().path("fw").asText()).isEqualTo("2.0");
        assertThat(t.desiredVersion()).isEqualTo(3);
        assertThat(t.reportedVersion()).isEqualTo(5);
        assertThat(Twin.parse("{}".getBytes(StandardCharsets.UTF_8)).desiredVersion()).isEqualTo(-1);
        assertThatThrownBy(() -> Twin.parse("[1]".getBytes(StandardCharsets.UTF_8))).isInstanceOfSatisfying(CloudException.class,
                e -> assertThat(e.code()).isEqualTo("BAD_RESPONSE"));
        assertThatThrownBy(() -> Twin.parse("{".getBytes(StandardCharsets.UTF_8))).isInstanceOfSatisfying(CloudException.class,
                e -> assertThat(e.code()).isEqualTo("BAD_RESPONSE"));
    }

    @Test
    void cloud_to_device_properties_are_decoded_from_the_topic() {
        CloudMessage m = CloudMessage.of("%24.mid=m1&%24.to=%2Fdevices%2Fd1&color=dark%20red&flag", "hi".getBytes(StandardCharsets.UTF_8));
        assertThat(m.messageId()).isEqualTo("m1");
        assertThat(m.properties()).containsEntry("$.to", "/devices/d1").containsEntry("color", "dark red").containsEntry("flag", "");
        assertThat(m.text()).isEqualTo("hi");
        assertThat(CloudMessage.of("", new byte[0]).properties()).isEmpty();
        // a broken escape is kept as it came, never a crash
        assertThat(CloudMessage.of("k=%zz", new byte[0]).properties()).containsEntry("k", "%zz");
    }
}
