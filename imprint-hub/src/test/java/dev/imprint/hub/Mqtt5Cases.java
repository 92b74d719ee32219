package dev.imprint.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.hub.MosquittoClientsIT.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5 against an Azure-dialect hub, with real clients: Debian's mosquitto_pub/mosquitto_sub
 * ({@code -V mqttv5}) and the Paho MQTT 5 Java client. Each refusal next to the good case it
 * differs from. Run as {@code MosquittoClientsIT.Mqtt5}, on that class's hub (one CA and hub
 * start for both protocol versions).
 */
abstract class Mqtt5Cases {
    abstract HubFixture fx();

    abstract Path dir();

    List<String> mosquitto(String tool, HubFixture.Device d) throws Exception {
        Assumptions.assumeTrue(MosquittoClientsIT.onPath(tool), tool + " not installed (apt-get install mosquitto-clients)");
        List<String> cmd = new ArrayList<>(List.of(tool));
        cmd.addAll(MosquittoClientsIT.tlsArgs(dir(), fx(), d, "mqttv5"));
        return cmd;
    }

    MqttClient paho(HubFixture.Device d, MqttCallback cb) throws Exception {
        MqttClient c = client(d, cb);
        c.connect(options(d));
        return c;
    }

    MqttClient client(HubFixture.Device d, MqttCallback cb) throws Exception {
        MqttClient c = new MqttClient("ssl://" + fx().host + ":8883", d.id(), new MemoryPersistence());
        if (cb != null) {
            c.setCallback(cb);
        }
        return c;
    }

    MqttConnectionOptions options(HubFixture.Device d) {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setSocketFactory(fx().ssl(d).getSocketFactory());
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(10);
        o.setKeepAliveInterval(60);
        return o;
    }

    @Test
    void mosquitto_pub_v5_telemetry_is_stored_with_its_user_properties_and_content_type() throws Exception {
        HubFixture.Device d = fx().device("v5-pub");
        List<String> cmd = mosquitto("mosquitto_pub", d);
        cmd.addAll(List.of("-q", "1", "-t", "devices/v5-pub/messages/events/source=topic",
                "-D", "publish", "user-property", "source", "user",
                "-D", "publish", "user-property", "site", "lyon",
                "-D", "publish", "content-type", "application/json",
                "-D", "publish", "payload-format-indicator", "1", "-m", "{\"t\":5}"));
        Run r = MosquittoClientsIT.run(cmd, 20);
        assertThat(r.exit()).as(r.out()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> !fx().backend.telemetry("v5-pub", 1).isEmpty());
        Map<?, ?> props = new ObjectMapper().readValue(fx().backend.telemetry("v5-pub", 1).get(0).properties(), Map.class);
        // the topic's properties win over User Properties of the same name
        assertThat(props).isEqualTo(Map.of("source", "topic", "site", "lyon", "$.ct", "application/json", "$.ce", "utf-8"));
    }

    @Test
    void mosquitto_pub_v5_on_another_devices_topic_sees_puback_0x87_and_nothing_is_stored() throws Exception {
        fx().device("v5-victim");
        HubFixture.Device d = fx().device("v5-intruder");
        List<String> cmd = mosquitto("mosquitto_pub", d);
        cmd.addAll(List.of("-d", "-q", "1", "-t", "devices/v5-victim/messages/events/", "-m", "spoof"));
        Run r = MosquittoClientsIT.run(cmd, 20);
        assertThat(r.out()).contains("received PUBACK (Mid: 1, RC:135)").contains("FOREIGN_TOPIC");
        assertThat(fx().refusals("FOREIGN_TOPIC")).isGreaterThanOrEqualTo(1);
        assertThat(fx().backend.telemetry("v5-victim", 10)).isEmpty();
    }

    @Test
    void mosquitto_sub_v5_receives_a_queued_cloud_to_device_message() throws Exception {
        HubFixture.Device d = fx().device("v5-sub");
        fx().backend.sendC2d(d.id(), "hello v5".getBytes(StandardCharsets.UTF_8), Map.of(), null);
        List<String> cmd = mosquitto("mosquitto_sub", d);
        cmd.addAll(List.of("-q", "1", "-t", "devices/v5-sub/messages/devicebound/#", "-C", "1", "-W", "15"));
        Run r = MosquittoClientsIT.run(cmd, 30);
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("hello v5");
    }

    @Test
    void paho_v5_reads_the_connack_properties() throws Exception {
        HubFixture.Device d = fx().device("v5-props");
        MqttClient c = client(d, null);
        try {
            MqttProperties p = c.connectWithResult(options(d)).getResponseProperties();
            assertThat(p.getReceiveMaximum()).isEqualTo(16);
            assertThat(p.getMaximumPacketSize()).isEqualTo(256L * 1024);
            assertThat(p.getTopicAliasMaximum()).isZero();
            assertThat(p.getMaximumQoS()).isEqualTo(1);
            assertThat(p.isRetainAvailable()).isFalse();
            assertThat(p.isWildcardSubscriptionsAvailable()).isTrue();
            assertThat(p.isSubscriptionIdentifiersAvailable()).isFalse();
            assertThat(p.isSharedSubscriptionAvailable()).isFalse();
            assertThat(p.getAssignedClientIdentifier()).isNull();
        } finally {
            c.disconnect();
            c.close();
        }
    }

    @Test
    void paho_v5_publish_on_a_foreign_topic_gets_0x87_and_the_session_goes_on() throws Exception {
        fx().device("v5-other");
        HubFixture.Device d = fx().device("v5-paho");
        MqttAsyncClient c = new MqttAsyncClient("ssl://" + fx().host + ":8883", d.id(), new MemoryPersistence());
        c.connect(options(d)).waitForCompletion(10_000);
        try {
            MqttMessage m = new MqttMessage("x".getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            MqttProperties up = new MqttProperties();
            up.setUserProperties(List.of(new UserProperty("k", "v")));
            m.setProperties(up);
            IMqttToken refused = c.publish("devices/v5-other/messages/events/", m);
            refused.waitForCompletion(5000);
            assertThat(refused.getReasonCodes()).containsExactly(0x87);
            c.publish("devices/v5-paho/messages/events/", m).waitForCompletion(5000);
            assertThat(c.isConnected()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> !fx().backend.telemetry("v5-paho", 1).isEmpty());
            assertThat(fx().backend.telemetry("v5-paho", 1).get(0).properties()).isEqualTo("{\"k\":\"v\"}");
            assertThat(fx().backend.telemetry("v5-other", 1)).isEmpty();
        } finally {
            c.disconnect().waitForCompletion(5000);
            c.close();
        }
    }

    @Test
    void paho_v5_suback_refuses_a_foreign_filter_with_0x87_and_grants_its_own() throws Exception {
        MqttClient c = paho(fx().device("v5-subs"), null);
        try {
            IMqttToken t = c.subscribe(new MqttSubscription[] {
                    new MqttSubscription("devices/v5-subs/messages/devicebound/#", 1),
                    new MqttSubscription("devices/v5-props/messages/devicebound/#", 1)}, null);
            assertThat(t.getReasonCodes()).containsExactly(1, 0x87);
        } catch (MqttException e) {
            // Paho throws when any filter is refused; the codes are on the token it carried
            assertThat(e.getReasonCode()).isEqualTo(0x87);
        } finally {
            c.disconnect();
            c.close();
        }
    }

    @Test
    void paho_v5_session_taken_over_by_a_second_connection_gets_disconnect_0x8e() throws Exception {
        HubFixture.Device d = fx().device("v5-twice");
        CompletableFuture<MqttDisconnectResponse> first = new CompletableFuture<>();
        MqttClient a = paho(d, disconnects(first));
        MqttClient b = paho(d, null);
        try {
            MqttDisconnectResponse r = first.get(5, TimeUnit.SECONDS);
            assertThat(r.getReturnCode()).isEqualTo(0x8E);
            assertThat(r.getReasonString()).isEqualTo("SESSION_TAKEN");
            assertThat(b.isConnected()).isTrue();
        } finally {
            b.disconnect();
            b.close();
            a.close();
        }
    }

    @Test
    void revoked_device_live_v5_session_ends_with_disconnect_0x87_within_2_s_and_cannot_reconnect() throws Exception {
        HubFixture.Device d = fx().device("v5-revoked");
        CompletableFuture<MqttDisconnectResponse> ended = new CompletableFuture<>();
        MqttClient c = paho(d, disconnects(ended));
        try {
            long t0 = System.nanoTime();
            fx().ca.revocation().revoke(d.serial(), 1, "admin:test");
            MqttDisconnectResponse r = ended.get(2, TimeUnit.SECONDS);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2000);
            assertThat(r.getReturnCode()).isEqualTo(0x87);
            assertThat(r.getReasonString()).isEqualTo("REVOKED");
            assertThatThrownBy(() -> paho(d, null))
                    .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
        } finally {
            c.close();
        }
    }

    @Test
    void client_id_that_is_not_the_certificates_identity_gets_connack_0x85() throws Exception {
        HubFixture.Device d = fx().device("v5-id");
        HubFixture.Device wrongId = new HubFixture.Device("v5-someone-else", d.key(), d.chain(), d.serial());
        assertThatThrownBy(() -> paho(wrongId, null))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x85));
        MqttClient ok = paho(d, null);
        ok.disconnect();
        ok.close();
    }

    MqttCallback disconnects(CompletableFuture<MqttDisconnectResponse> into) {
        return new MqttCallback() {
            public void disconnected(MqttDisconnectResponse r) {
                into.complete(r);
            }

            public void mqttErrorOccurred(MqttException e) {}

            public void messageArrived(String topic, MqttMessage m) {}

            public void deliveryComplete(IMqttToken t) {}

            public void connectComplete(boolean reconnect, String uri) {}

            public void authPacketArrived(int reason, MqttProperties p) {}
        };
    }
}
