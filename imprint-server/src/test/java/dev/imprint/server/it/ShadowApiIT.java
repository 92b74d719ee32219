package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.server.up.Node;
import dev.imprint.server.up.ServiceCredentials;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device Shadow through the admin API and {@code imprint shadow}, on {@code imprint up}: AWS's
 * answers and errors, named shadows, and the classic shadow as the twin of a live Azure-dialect
 * device (a twin desired PATCH shows in the shadow; a shadow desired update reaches the device).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShadowApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    private HttpClient http;
    private String base;

    @Test
    void shadow_api_and_cli_follow_aws_and_share_the_document_with_the_twin() throws Exception {
        Map<String, String> env = Fixture.env();
        env.put("IMPRINT_DPS", "false");
        String hubs = env.get("IMPRINT_HUBS");
        int port = Integer.parseInt(hubs.substring(hubs.lastIndexOf(':') + 1));
        try (Node server = Fixture.start(dir, env)) {
            ServiceCredentials.Files admin = ServiceCredentials.Files.in(dir);
            http = Fixture.https(admin.adminTrust(), admin.adminCert(), admin.adminKey());
            base = server.endpoints().admin();
            MqttClient device = Fixture.azureDevice(server, "sh-dev", port);
            BlockingQueue<String> desired = new LinkedBlockingQueue<>();
            device.subscribe("$iothub/twin/PATCH/properties/desired/#", 0, (t, m) -> desired.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
            try {
                // a new device has no shadow; an unknown one is no thing
                assertError(call("GET", "/devices/sh-dev/shadow?clientToken=t0", null), 404, "No shadow exists with name: 'sh-dev'", "NO_SHADOW");
                assertError(call("GET", "/devices/nobody/shadow", null), 404, "Thing not found", "THING_NOT_FOUND");
                Resp r = call("POST", "/devices/sh-dev/shadow", "{\"state\":{\"reported\":{\"rate\":1}},\"clientToken\":\"c1\"}");
                assertThat(r.status).as(r.body.toString()).isEqualTo(200);
                assertThat(r.body.path("version").asLong()).isEqualTo(1);
                assertThat(r.body.path("clientToken").asText()).isEqualTo("c1");
                assertThat(r.body.path("metadata").path("reported").path("rate").path("timestamp").asLong())
                        .isBetween(Instant.now().getEpochSecond() - 60, Instant.now().getEpochSecond() + 1);

                // the Azure side's desired PATCH is a shadow change: visible, with its delta and the next version
                assertThat(call("PATCH", "/devices/sh-dev/twin/desired", "{\"rate\":5}").status).isEqualTo(200);
                assertThat(desired.poll(5, TimeUnit.SECONDS)).contains("\"rate\":5").contains("\"$version\":2");
                JsonNode doc = call("GET", "/devices/sh-dev/shadow", null).body;
                assertThat(doc.path("state").path("delta")).isEqualTo(JSON.readTree("{\"rate\":5}"));
                assertThat(doc.path("version").asLong()).isEqualTo(2);

                // and a shadow desired update reaches the Azure device as a twin desired patch
                assertError(call("POST", "/devices/sh-dev/shadow", "{\"state\":{\"desired\":{\"rate\":9}},\"version\":1,\"clientToken\":\"old\"}"),
                        409, "Version conflict", "VERSION_CONFLICT");
                r = call("POST", "/devices/sh-dev/shadow", "{\"state\":{\"desired\":{\"rate\":7}},\"version\":2}");
                assertThat(r.body.path("version").asLong()).isEqualTo(3);
                assertThat(desired.poll(5, TimeUnit.SECONDS)).contains("\"rate\":7").contains("\"$version\":3");
                assertThat(call("GET", "/devices/sh-dev/twin", null).body.path("desired").path("rate").asInt()).isEqualTo(7);
                assertError(call("POST", "/devices/sh-dev/shadow", "{\"state\":"), 400, "Invalid JSON", "INVALID_JSON");

                // named shadows, through the CLI
                String data = dir.toString();
                Fixture.Run up = Fixture.cli("shadow", "update", "--device", "sh-dev", "--name", "cfg", "--desired", "{\"mode\":\"eco\"}", "--data", data);
                assertThat(up.code()).as(up.all()).isZero();
                assertThat(up.out()).contains("\"version\" : 1");
                Fixture.Run stale = Fixture.cli("shadow", "update", "--device", "sh-dev", "--name", "cfg", "--reported", "{\"mode\":\"eco\"}",
                        "--version", "0", "--data", data);
                assertThat(stale.code()).isEqualTo(1);
                assertThat(stale.err()).contains("409").contains("Version conflict");
                assertThat(call("GET", "/devices/sh-dev/shadows", null).body.path("results").toString()).isEqualTo("[\"cfg\"]");
                Fixture.Run get = Fixture.cli("shadow", "get", "--device", "sh-dev", "--name", "cfg", "--data", data);
                assertThat(get.out()).contains("\"delta\"").contains("\"mode\" : \"eco\"");
                Fixture.Run del = Fixture.cli("shadow", "delete", "--device", "sh-dev", "--name", "cfg", "--data", data);
                assertThat(del.code()).as(del.all()).isZero();
                assertThat(del.out()).contains("\"version\" : 1");
                Fixture.Run gone = Fixture.cli("shadow", "get", "--device", "sh-dev", "--name", "cfg", "--data", data);
                assertThat(gone.code()).isEqualTo(1);
                assertThat(gone.err()).contains("404").contains("No shadow exists with name: 'cfg'");
                assertThat(Fixture.cli("shadow", "update", "--device", "sh-dev", "--name", "cfg", "--reported", "{\"mode\":\"eco\"}", "--data", data)
                        .out()).contains("\"version\" : 2");
                Fixture.Run classic = Fixture.cli("shadow", "get", "--device", "sh-dev", "--data", data);
                assertThat(classic.out()).contains("\"version\" : 3").contains("\"rate\" : 7");
                assertThat(Fixture.cli("shadow", "update", "--device", "sh-dev", "--data", data).code()).isEqualTo(2);

                HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base.replace("/api/v1", "") + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.body()).contains("imprint_shadow_requests_total{operation=\"update\",origin=\"api\",reason=\"VERSION_CONFLICT\",result=\"rejected\"}");
            } finally {
                device.disconnect();
                device.close();
            }
        }
    }

    private static void assertError(Resp r, int status, String message, String reason) {
        assertThat(r.status).as(r.body.toString()).isEqualTo(status);
        assertThat(r.body.path("code").asInt()).isEqualTo(status);
        assertThat(r.body.path("message").asText()).isEqualTo(message);
        assertThat(r.body.path("reason").asText()).isEqualTo(reason);
        assertThat(r.body.path("timestamp").asLong()).isPositive();
    }

    private record Resp(int status, JsonNode body) {}

    private Resp call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Resp(resp.statusCode(), resp.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(resp.body()));
    }
}
