package dev.imprint.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.azure.sdk.iot.device.ClientOptions;
import com.microsoft.azure.sdk.iot.device.DeviceClient;
import com.microsoft.azure.sdk.iot.device.IotHubClientProtocol;
import com.microsoft.azure.sdk.iot.device.IotHubMessageResult;
import com.microsoft.azure.sdk.iot.device.Message;
import com.microsoft.azure.sdk.iot.device.twin.DirectMethodResponse;
import com.microsoft.azure.sdk.iot.device.twin.Twin;
import com.microsoft.azure.sdk.iot.device.twin.TwinCollection;
import dev.imprint.store.TelemetryRecord;
import dev.imprint.store.TwinRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The Azure IoT device SDK for Java (iot-device-client 2.5.0), unchanged, against a hub on 127.0.0.13:8883. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AzureSdkIT {
    static final String HOST = "127.0.0.13";
    @TempDir
    static Path dir;
    static HubFixture fx;

    @BeforeAll
    static void start() {
        fx = new HubFixture(dir, HOST, "hub-sdk", List.of());
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    private static DeviceClient client(HubFixture.Device d) {
        return new DeviceClient("HostName=" + HOST + ";DeviceId=" + d.id() + ";x509=true", IotHubClientProtocol.MQTT,
                ClientOptions.builder().sslContext(fx.ssl(d)).build());
    }

    @Test
    void azure_sdk_device_sends_telemetry_receives_c2d_updates_twin_and_answers_a_method() throws Exception {
        HubFixture.Device d = fx.device("sdk-device-1");
        fx.backend.sendC2d(d.id(), "queued while offline".getBytes(StandardCharsets.UTF_8), Map.of("color", "red"), null);
        DeviceClient client = client(d);
        BlockingQueue<Message> c2d = new LinkedBlockingQueue<>();
        client.setMessageCallback((m, ctx) -> {
            c2d.add(m);
            return IotHubMessageResult.COMPLETE;
        }, null);
        try {
            client.open(false);
            assertThat(fx.hub.isConnected(d.id())).isTrue();

            Message msg = new Message("{\"temperature\":21.5}");
            msg.setMessageId("msg-1");
            msg.setProperty("alert", "no way");
            msg.setContentType("application/json");
            client.sendEvent(msg);
            await().atMost(Duration.ofSeconds(5)).until(() -> !fx.backend.telemetry(d.id(), 10).isEmpty());
            TelemetryRecord t = fx.backend.telemetry(d.id(), 10).get(0);
            assertThat(new String(t.body(), StandardCharsets.UTF_8)).isEqualTo("{\"temperature\":21.5}");
            assertThat(t.properties()).contains("\"$.mid\":\"msg-1\"").contains("\"alert\":\"no way\"").contains("application/json");

            Message first = c2d.poll(10, TimeUnit.SECONDS);
            assertThat(first).isNotNull();
            assertThat(new String(first.getBytes(), StandardCharsets.UTF_8)).isEqualTo("queued while offline");
            assertThat(first.getProperty("color")).isEqualTo("red");
            fx.backend.sendC2d(d.id(), "live".getBytes(StandardCharsets.UTF_8), Map.of(), null);
            Message second = c2d.poll(10, TimeUnit.SECONDS);
            assertThat(second).isNotNull();
            assertThat(new String(second.getBytes(), StandardCharsets.UTF_8)).isEqualTo("live");
            await().atMost(Duration.ofSeconds(5)).until(() -> fx.store.cloudToDevice().pending(d.id(), java.time.Instant.now(), 10).isEmpty());

            AtomicReference<Twin> desired = new AtomicReference<>();
            client.subscribeToDesiredProperties((twin, ctx) -> desired.set(twin), null);
            TwinCollection reported = new TwinCollection();
            reported.put("firmware", "1.2.3");
            client.updateReportedProperties(reported);
            TwinRecord twin = fx.backend.twin(d.id());
            assertThat(twin.reported()).contains("\"firmware\":\"1.2.3\"");
            fx.backend.updateDesired(d.id(), "{\"interval\":30}");
            await().atMost(Duration.ofSeconds(10)).until(() -> desired.get() != null
                    && desired.get().getDesiredProperties().containsKey("interval"));
            Twin got = client.getTwin();
            assertThat(got.getReportedProperties().get("firmware")).isEqualTo("1.2.3");
            assertThat(got.getDesiredProperties().get("interval")).isNotNull();

            // the SDK serializes the response object with Gson: a map becomes a JSON object
            client.subscribeToMethods((name, payload, ctx) -> new DirectMethodResponse(200,
                    Map.of("rebooted", name, "in", payload.getPayloadAsJsonString())), null);
            MethodResult r = fx.backend.invokeMethod(d.id(), "reboot", "{\"delay\":1}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10))
                    .get(15, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.payload()).contains("\"rebooted\":\"reboot\"").contains("delay");
        } finally {
            client.close();
        }
    }
}
