package dev.imprint.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A QoS 1 PUBACK only for a stored message: with the hub's store closed under it (a real
 * failure of the real SQLite store), QoS 0 telemetry is dropped and counted without ending the
 * session, and a QoS 1 message gets no PUBACK: the session ends with STORE_UNAVAILABLE so the
 * device resends.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TelemetryStoreFailureIT {
    static final String HOST = "127.0.0.18";

    @TempDir
    Path dir;

    @Test
    void store_failure_means_no_puback_and_store_unavailable_disconnect() throws Exception {
        HubFixture fx = new HubFixture(dir, HOST, "hub-storefail", List.of());
        try {
            HubFixture.Device d = fx.device("storefail-1");
            PahoHubIT.Conn c = new PahoHubIT.Conn(HOST, d.id(), fx.ssl(d));
            c.client.setTimeToWait(10_000);
            String topic = "devices/storefail-1/messages/events/";

            c.client.publish(topic, "{\"n\":1}".getBytes(StandardCharsets.UTF_8), 1, false);
            // acknowledged means stored: no waiting for a background writer
            assertThat(fx.store.telemetry().recent(d.id(), 10)).hasSize(1);

            fx.store.close();
            c.client.publish(topic, "{\"n\":2}".getBytes(StandardCharsets.UTF_8), 0, false);
            await().atMost(Duration.ofSeconds(5)).until(() -> fx.meters.counter("imprint.hub.telemetry.dropped", "hub", "hub-storefail").count() >= 1);
            assertThat(c.client.isConnected()).as("QoS 0 stays fire and forget").isTrue();
            assertThat(fx.disconnects("STORE_UNAVAILABLE")).isZero();

            assertThatThrownBy(() -> c.client.publish(topic, "{\"n\":3}".getBytes(StandardCharsets.UTF_8), 1, false))
                    .isInstanceOf(MqttException.class)
                    .satisfies(e -> assertThat(((MqttException) e).getReasonCode()).isEqualTo(MqttException.REASON_CODE_CONNECTION_LOST));
            assertThat(c.lost.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(fx.disconnects("STORE_UNAVAILABLE")).isEqualTo(1);
            c.close();
        } finally {
            closeWithoutStore(fx);
        }
    }

    /** The store is already closed: the hub's last store write (directory clean-up) fails, which is expected here. */
    private static void closeWithoutStore(HubFixture fx) {
        fx.backend.close();
        fx.bus.close();
        try {
            fx.hub.close();
        } catch (RuntimeException expected) {
            // directory clean-up on the closed store
        }
        try {
            fx.ca.close();
        } catch (RuntimeException expected) {
            // nothing left to flush
        }
    }
}
