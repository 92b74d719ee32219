package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.server.up.Node;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code imprint up} with a hub, a Paho device, and the back-end CLI: device show, telemetry, c2d send, twin get|set, method invoke. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HubBackendIT {
    @TempDir
    Path dir;

    @Test
    void cli_reads_telemetry_sends_c2d_updates_twin_and_invokes_a_method_on_a_live_device() throws Exception {
        Map<String, String> env = Fixture.env();
        String hubs = env.get("IMPRINT_HUBS");
        int port = Integer.parseInt(hubs.substring(hubs.lastIndexOf(':') + 1));
        try (Node server = Fixture.start(dir, env)) {
            JsonNode endpoints = new ObjectMapper().readTree(dir.resolve("endpoints.json").toFile());
            assertThat(endpoints.path("hubs").get(0).path("name").asText()).isEqualTo("hub-1");
            assertThat(endpoints.path("hubs").get(0).path("mqtt").asText()).isEqualTo("mqtts://127.0.0.1:" + port);

            MqttClient device = Fixture.azureDevice(server, "cli-dev", port);
            BlockingQueue<String> c2d = new LinkedBlockingQueue<>();
            try {
                device.subscribe("devices/cli-dev/messages/devicebound/#", 1, (t, m) -> c2d.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
                device.subscribe("$iothub/methods/POST/#", 0, (t, m) -> {
                    String rid = t.substring(t.indexOf("$rid=") + 5);
                    new Thread(() -> {
                        try {
                            device.publish("$iothub/methods/res/200/?$rid=" + rid, "{\"ok\":true}".getBytes(StandardCharsets.UTF_8), 0, false);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }).start();
                });
                device.publish("devices/cli-dev/messages/events/", "{\"t\":42}".getBytes(StandardCharsets.UTF_8), 1, false);

                String data = dir.toString();
                Fixture.Run show = Fixture.cli("device", "show", "cli-dev", "--json", "--data", data);
                assertThat(show.code()).as(show.all()).isZero();
                assertThat(show.out()).contains("\"connected\" : true").contains("\"assignedHub\" : \"hub-1\"");
                await().atMost(Duration.ofSeconds(5)).until(() -> Fixture.cli("telemetry", "--device", "cli-dev", "--last", "5", "--data", data)
                        .out().contains("{\"t\":42}"));
                Fixture.Run send = Fixture.cli("c2d", "send", "--device", "cli-dev", "--body", "from the cli", "--data", data);
                assertThat(send.code()).as(send.all()).isZero();
                assertThat(c2d.poll(5, TimeUnit.SECONDS)).isEqualTo("from the cli");
                Fixture.Run set = Fixture.cli("twin", "set", "--device", "cli-dev", "--desired", "{\"rate\":7}", "--data", data);
                assertThat(set.code()).as(set.all()).isZero();
                assertThat(Fixture.cli("twin", "get", "--device", "cli-dev", "--data", data).out()).contains("\"rate\" : 7");
                Fixture.Run inv = Fixture.cli("method", "invoke", "--device", "cli-dev", "--name", "ping", "--timeout", "5", "--data", data);
                assertThat(inv.code()).as(inv.all()).isZero();
                assertThat(inv.out()).contains("\"status\" : 200").contains("\"ok\" : true");
                Fixture.Run unknown = Fixture.cli("device", "show", "nobody", "--data", data);
                assertThat(unknown.code()).isEqualTo(1);
                assertThat(unknown.err()).contains("DEVICE_NOT_FOUND");
            } finally {
                device.disconnect();
                device.close();
            }
            assertThat(Files.exists(dir.resolve("hubs").resolve("hub-1.key"))).isTrue();
        }
    }
}
