package dev.imprint.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imprint.ca.IssuanceRequest;
import dev.imprint.ca.IssuedCertificate;
import dev.imprint.device.Csrs;
import dev.imprint.device.DeviceKey;
import dev.imprint.device.FolderState;
import dev.imprint.device.MemoryState;
import dev.imprint.device.cloud.CloudConfig;
import dev.imprint.device.cloud.CloudException;
import dev.imprint.device.cloud.CloudMessage;
import dev.imprint.device.cloud.DeviceClient;
import dev.imprint.device.cloud.DeviceRuntime;
import dev.imprint.device.cloud.DpsClient;
import dev.imprint.device.cloud.DpsTransport;
import dev.imprint.device.cloud.Identity;
import dev.imprint.device.cloud.MethodResponse;
import dev.imprint.device.cloud.Twin;
import dev.imprint.server.up.Node;
import dev.imprint.testkit.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Imprint's own device SDK against a real server in this process: DPS registration over MQTT
 * (SDK and {@code imprint device register --dps-transport mqtt}), refusals with the same reason
 * codes as HTTPS, and the twin, direct methods and cloud-to-device messages end to end.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DeviceSdkIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path tmp;
    static Path data;
    static Node server;
    static DeviceRuntime rt;
    static CloudConfig https;
    static CloudConfig mqtt;

    @BeforeAll
    static void start() throws Exception {
        data = tmp.resolve("data");
        // one registration per device per minute: the second one shows RATE_LIMITED
        server = LocalImprint.start(data, Duration.ofHours(1),
                Map.of("IMPRINT_CA_PASSPHRASE", "test-passphrase-not-secret", "IMPRINT_DPS_DEVICE_RATE", "1"));
        rt = new DeviceRuntime(2);
        https = CloudConfig.fromEndpoints(data);
        mqtt = https.withDpsTransport(DpsTransport.MQTT);
        assertThat(mqtt.dpsMqtt().toString()).startsWith("mqtts://127.0.0.2:");
    }

    @AfterAll
    static void stop() throws Exception {
        if (rt != null) {
            rt.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** A factory identity for {@code id}: a new key, its certificate from the manufacturing CA, leaf first, no root. */
    static Identity factory(String id, DeviceKey key) {
        IssuedCertificate c = server.authority().issue(IssuanceRequest.byAdmin("admin:test", "manufacturing", Csrs.build(key, id)));
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(c.certificate());
        c.chain().stream().filter(x -> !x.getSubjectX500Principal().equals(x.getIssuerX500Principal())).forEach(chain::add);
        return new Identity(key, chain);
    }

    static CloudException refusal(CloudConfig config, Identity id, String registrationId) {
        Throwable t = catchThrowable(() -> new DpsClient(rt, config, Duration.ofSeconds(10)).register(id, registrationId, null)
                .get(20, TimeUnit.SECONDS));
        assertThat(t).as("registration of " + registrationId + " over " + config.dpsTransport()).isNotNull();
        return CloudException.of(t);
    }

    @Test
    void device_registers_over_mqtt_gets_an_operational_certificate_and_its_telemetry_is_stored() throws Exception {
        String id = "sdk-mqtt-1";
        DeviceKey key = DeviceKey.generate();
        Identity factory = factory(id, key);
        BlockingQueue<String> hubs = new LinkedBlockingQueue<>();
        try (DeviceClient c = new DeviceClient(rt, mqtt, id, factory, new MemoryState(key, id), DeviceClient.Options.defaults(),
                new DeviceClient.Events() {
                    @Override
                    public void registered(String hub, boolean fallback) {
                        hubs.add(hub);
                    }
                })) {
            c.start().get(30, TimeUnit.SECONDS);
            assertThat(hubs.poll()).startsWith("127.0.0.");
            X509Certificate op = c.operationalCertificate();
            assertThat(op).isNotNull();
            assertThat(op.getSerialNumber()).isNotEqualTo(factory.leaf().getSerialNumber());
            assertThat(op.getIssuerX500Principal()).isNotEqualTo(factory.leaf().getIssuerX500Principal());
            assertThat(op.getPublicKey()).isNotEqualTo(key.publicKey());
            assertThat(server.store().deviceRegistry().find(id)).isPresent();

            List<CompletableFuture<Void>> acks = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                acks.add(c.send(("{\"t\":" + i + "}").getBytes(StandardCharsets.UTF_8), Map.of("unit", "C")));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
            await().atMost(WAIT).untilAsserted(() -> assertThat(server.store().telemetry().recent(id, 10)).hasSize(3));
        }
    }

    @Test
    void cli_registers_over_mqtt_and_keeps_the_choice(@TempDir Path state) throws Exception {
        String id = "cli-mqtt-1";
        FolderState f = new FolderState(state);
        f.saveDeviceId(id);
        f.install(factory(id, f.key()).chain());
        f.markProvisioned();

        DeviceCliIT.Run bad = DeviceCliIT.cli("device", "register", "--state", state.toString(), "--endpoints", data.toString(),
                "--dps-transport", "coap");
        assertThat(bad.code()).as(bad.out()).isEqualTo(2);
        assertThat(bad.out()).contains("https or mqtt");

        DeviceCliIT.Run reg = DeviceCliIT.cli("device", "register", "--state", state.toString(), "--endpoints", data.toString(),
                "--dps-transport", "mqtt");
        assertThat(reg.code()).as(reg.out()).isZero();
        assertThat(reg.out()).contains("registered " + id, "hub 127.0.0.");
        assertThat(CloudConfig.load(state.resolve(CloudConfig.FILE)).dpsTransport()).isEqualTo(DpsTransport.MQTT);

        DeviceCliIT.Run send = DeviceCliIT.cli("device", "send", "--state", state.toString(), "--body", "{\"cli\":1}");
        assertThat(send.code()).as(send.out()).isZero();
        await().atMost(WAIT).untilAsserted(() -> assertThat(server.store().telemetry().recent(id, 10)).hasSize(1));
    }

    @Test
    void simulated_fleet_registers_over_mqtt() {
        DeviceCliIT.Run sim = DeviceCliIT.cli("device", "simulate", "--count", "3", "--duration", "2", "--dps-transport", "mqtt", "--plain",
                "--data", data.toString());
        assertThat(sim.code()).as(sim.out()).isZero();
        DeviceCliIT.Run bad = DeviceCliIT.cli("device", "simulate", "--count", "1", "--dps-transport", "coap", "--data", data.toString());
        assertThat(bad.code()).as(bad.out()).isEqualTo(2);
    }

    @Test
    void refusals_over_mqtt_carry_the_same_reason_codes_as_over_https() throws Exception {
        // a revoked factory certificate
        Identity revoked = factory("sdk-revoked", DeviceKey.generate());
        server.authority().revocation().revoke(revoked.serialHex(), 1, "test");
        CloudException overHttps = refusal(https, revoked, "sdk-revoked");
        CloudException overMqtt = refusal(mqtt, revoked, "sdk-revoked");
        assertThat(overHttps.code()).isEqualTo("REVOKED");
        assertThat(overMqtt.code()).isEqualTo("REVOKED");
        assertThat(overMqtt.permanent()).isTrue();

        // a certificate that is not the registration ID asked for
        Identity other = factory("sdk-other", DeviceKey.generate());
        assertThat(refusal(https, other, "sdk-someone-else").code()).isEqualTo("REGISTRATION_ID_MISMATCH");
        assertThat(refusal(mqtt, other, "sdk-someone-else").code()).isEqualTo("REGISTRATION_ID_MISMATCH");

        // a disabled enrollment (individual ones, so the other tests' devices are not touched)
        for (String id : List.of("sdk-dis-h", "sdk-dis-m")) {
            DeviceCliIT.Run add = DeviceCliIT.cli("enrollment", "add", id, "--device", id, "--disabled", "--data", data.toString());
            assertThat(add.code()).as(add.out()).isZero();
        }
        CloudException disH = refusal(https, factory("sdk-dis-h", DeviceKey.generate()), "sdk-dis-h");
        CloudException disM = refusal(mqtt, factory("sdk-dis-m", DeviceKey.generate()), "sdk-dis-m");
        assertThat(disH.code()).isEqualTo("ENROLLMENT_DISABLED");
        assertThat(disM.code()).isEqualTo(disH.code());
        assertThat(disM.permanent()).isTrue();

        // too often: 429 with Retry-After, transient, on both transports
        Identity busy = factory("sdk-busy", DeviceKey.generate());
        new DpsClient(rt, mqtt, Duration.ofSeconds(10)).register(busy, "sdk-busy", null).get(20, TimeUnit.SECONDS);
        for (CloudConfig c : List.of(mqtt, https)) {
            CloudException e = refusal(c, busy, "sdk-busy");
            assertThat(e.code()).as(c.dpsTransport().name()).isEqualTo("RATE_LIMITED");
            assertThat(e.permanent()).isFalse();
            assertThat(e.retryAfter()).isNotNull().isPositive();
        }

        // a device of a foreign CA: TLS lets it in, validation refuses it, the same way on both
        TestPki.Issued foreign = TestPki.create().device("sdk-foreign");
        Identity alien = new Identity(DeviceKey.of(foreign.key()), foreign.chain());
        CloudException fH = refusal(https, alien, "sdk-foreign");
        CloudException fM = refusal(mqtt, alien, "sdk-foreign");
        assertThat(fH.code()).isEqualTo("UNKNOWN_ISSUER");
        assertThat(fM.code()).isEqualTo(fH.code());
    }

    @Test
    void twin_methods_and_cloud_to_device_messages_work_end_to_end() throws Exception {
        String id = "sdk-twin-1";
        DeviceKey key = DeviceKey.generate();
        Identity factory = factory(id, key);
        MemoryState state = new MemoryState(key, id);
        BlockingQueue<JsonNode> desired = new LinkedBlockingQueue<>();
        BlockingQueue<CloudMessage> messages = new LinkedBlockingQueue<>();
        DeviceClient c = client(id, factory, state, desired, messages);
        try {
            c.start().get(30, TimeUnit.SECONDS);

            // reported: stored, read by the back-end
            long v = c.reportProperties("{\"firmware\":\"1.0.3\",\"battery\":87}").get(10, TimeUnit.SECONDS);
            assertThat(v).isPositive();
            DeviceCliIT.Run twin = DeviceCliIT.cli("twin", "get", "--device", id, "--data", data.toString());
            assertThat(twin.code()).as(twin.out()).isZero();
            assertThat(twin.out()).contains("1.0.3");

            // desired: from the back-end to the listener, and in the twin with the reported ones
            DeviceCliIT.Run set = DeviceCliIT.cli("twin", "set", "--device", id, "--desired", "{\"interval\":5}", "--data", data.toString());
            assertThat(set.code()).as(set.out()).isZero();
            assertThat(nextWith(desired, "interval").path("interval").asInt()).isEqualTo(5);
            Twin t = c.getTwin().get(10, TimeUnit.SECONDS);
            assertThat(t.desired().path("interval").asInt()).isEqualTo(5);
            assertThat(t.reported().path("firmware").asText()).isEqualTo("1.0.3");
            assertThat(t.reportedVersion()).isEqualTo(v);

            // direct methods: answered by the handler, with its status
            DeviceCliIT.Run reboot = DeviceCliIT.cli("method", "invoke", "--device", id, "--name", "reboot", "--payload", "{\"delay\":3}",
                    "--timeout", "5", "--data", data.toString());
            assertThat(reboot.code()).as(reboot.out()).isZero();
            assertThat(reboot.out()).contains("\"rebooting\"", "3");
            DeviceCliIT.Run busy = DeviceCliIT.cli("method", "invoke", "--device", id, "--name", "update", "--timeout", "5",
                    "--data", data.toString());
            assertThat(busy.code()).as(busy.out()).isEqualTo(1);
            assertThat(busy.out()).contains("409", "busy");

            // offline: a c2d message and a desired change wait for the device
            c.close();
            await().atMost(WAIT).until(() -> DeviceCliIT.cli("device", "show", id, "--data", data.toString()).out().contains("connected  false"));
            DeviceCliIT.Run c2d = DeviceCliIT.cli("c2d", "send", "--device", id, "--body", "while-you-were-away", "--property", "color=dark red",
                    "--data", data.toString());
            assertThat(c2d.code()).as(c2d.out()).isZero();
            assertThat(DeviceCliIT.cli("twin", "set", "--device", id, "--desired", "{\"interval\":9}", "--data", data.toString()).code()).isZero();
            desired.clear();

            c = client(id, factory, state, desired, messages);
            c.start().get(30, TimeUnit.SECONDS);
            CloudMessage m = messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(m).isNotNull();
            assertThat(m.text()).isEqualTo("while-you-were-away");
            assertThat(m.properties()).containsEntry("color", "dark red");
            assertThat(m.messageId()).isNotBlank();
            assertThat(nextWith(desired, "interval").path("interval").asInt()).isEqualTo(9);
        } finally {
            c.close();
        }
    }

    private static DeviceClient client(String id, Identity factory, MemoryState state, BlockingQueue<JsonNode> desired,
            BlockingQueue<CloudMessage> messages) {
        DeviceClient c = new DeviceClient(rt, mqtt, id, factory, state, DeviceClient.Options.defaults(), null);
        c.onDesiredProperties(desired::add);
        c.onCloudToDevice(messages::add);
        c.onMethod("reboot", payload -> "{\"status\":\"rebooting\",\"request\":" + new String(payload, StandardCharsets.UTF_8) + "}");
        c.onMethodCall("update", payload -> new MethodResponse(409, "{\"error\":\"busy\"}"));
        return c;
    }

    /** The next desired document or patch that has {@code field} (the first one on connect may be the initial document). */
    private static JsonNode nextWith(BlockingQueue<JsonNode> q, String field) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode n = q.poll(200, TimeUnit.MILLISECONDS);
            if (n != null && n.has(field)) {
                return n;
            }
        }
        throw new AssertionError("no desired properties with '" + field + "' within " + WAIT);
    }
}
