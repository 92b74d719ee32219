package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.ca.IssuanceRequest;
import dev.imprint.ca.IssuedCertificate;
import dev.imprint.pki.KeyAlgorithm;
import dev.imprint.pki.Pem;
import dev.imprint.server.up.Endpoints;
import dev.imprint.server.up.Node;
import dev.imprint.store.DeviceRecord;
import dev.imprint.testkit.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.crt.mqtt.MqttClientConnection;
import software.amazon.awssdk.crt.mqtt.MqttClientConnectionEvents;
import software.amazon.awssdk.crt.mqtt.MqttMessage;
import software.amazon.awssdk.crt.mqtt.QualityOfService;
import software.amazon.awssdk.crt.mqtt5.Mqtt5Client;
import software.amazon.awssdk.crt.mqtt5.Mqtt5ClientOptions;
import software.amazon.awssdk.crt.mqtt5.OnAttemptingConnectReturn;
import software.amazon.awssdk.crt.mqtt5.OnConnectionFailureReturn;
import software.amazon.awssdk.crt.mqtt5.OnConnectionSuccessReturn;
import software.amazon.awssdk.crt.mqtt5.OnDisconnectionReturn;
import software.amazon.awssdk.crt.mqtt5.OnStoppedReturn;
import software.amazon.awssdk.crt.mqtt5.QOS;
import software.amazon.awssdk.crt.mqtt5.packets.ConnAckPacket;
import software.amazon.awssdk.crt.mqtt5.packets.ConnectPacket;
import software.amazon.awssdk.crt.mqtt5.packets.PubAckPacket;
import software.amazon.awssdk.crt.mqtt5.packets.PublishPacket;
import software.amazon.awssdk.crt.mqtt5.packets.SubAckPacket;
import software.amazon.awssdk.crt.mqtt5.packets.SubscribePacket;
import software.amazon.awssdk.iot.AwsIotMqtt5ClientBuilder;
import software.amazon.awssdk.iot.AwsIotMqttConnectionBuilder;
import software.amazon.awssdk.iot.iotidentity.IotIdentityV2Client;
import software.amazon.awssdk.iot.iotidentity.model.CreateCertificateFromCsrRequest;
import software.amazon.awssdk.iot.iotidentity.model.CreateCertificateFromCsrResponse;
import software.amazon.awssdk.iot.iotidentity.model.CreateKeysAndCertificateRequest;
import software.amazon.awssdk.iot.iotidentity.model.RegisterThingRequest;
import software.amazon.awssdk.iot.iotidentity.model.RegisterThingResponse;
import software.amazon.awssdk.iot.iotidentity.model.V2ErrorResponse;
import software.amazon.awssdk.iot.iotidentity.model.V2ErrorResponseException;

/**
 * The AWS IoT Core-compatible endpoint with the real AWS IoT Device SDK v2 for Java (1.30.1,
 * aws-crt's native TLS: ALPN x-amzn-mqtt-ca and SNI carrying the IP are sent), trusting only
 * Imprint's root: connect rules, the default policy, telemetry, Device Shadow over MQTT, and live
 * revocation, over MQTT 5 ({@code Mqtt5Client}) and 3.1.1 ({@code MqttClientConnection}); fleet
 * provisioning from the factory certificate and rotation with the SDK's {@code IotIdentityV2Client},
 * and just-in-time provisioning.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AwsSdkIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    private Node server;
    private String host;
    private long port;
    private Path root;
    private Map<String, String> env;
    private final Map<String, String> serials = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeAll
    void start() throws Exception {
        env = Fixture.env();
        // the provisioning service answers the AWS endpoint's fleet and just-in-time provisioning (its own listeners out of the way)
        env.put("IMPRINT_DPS", "true");
        env.put("IMPRINT_DPS_HTTPS_ADDRESS", "127.0.14.1");
        env.put("IMPRINT_DPS_HTTPS_PORT", "0");
        env.put("IMPRINT_DPS_MQTT_PORT", "-1");
        env.put("IMPRINT_AWS_ENABLED", "true");
        env.put("IMPRINT_AWS_ADDRESS", "127.0.0.1");
        env.put("IMPRINT_AWS_PORT", Integer.toString(Fixture.freePort()));
        server = Fixture.start(dir, env);
        Endpoints e = Endpoints.read(dir);
        root = Path.of(e.trust());
        String mqtt = e.aws().get("mqtt");
        host = mqtt.substring("mqtts://".length(), mqtt.lastIndexOf(':'));
        port = Long.parseLong(mqtt.substring(mqtt.lastIndexOf(':') + 1));
        assertThat(mqtt).isEqualTo("mqtts://127.0.0.1:" + env.get("IMPRINT_AWS_PORT"));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void mqtt5_thing_sends_telemetry_inside_its_policy_and_uses_its_shadow() throws Exception {
        Path[] creds = device("aws-5");
        Device d = Device.start(host, port, root(), creds, "aws-5");
        try {
            assertThat(d.connected.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

            // telemetry under its thing name lands where every device's does
            assertThat(d.publish("dt/aws-5/temp", "{\"t\":21}").getResultPubAck().getReasonCode()).isEqualTo(PubAckPacket.PubAckReasonCode.SUCCESS);
            assertThat(d.publish("things/aws-5/status", "up").getResultPubAck().getReasonCode()).isEqualTo(PubAckPacket.PubAckReasonCode.SUCCESS);
            await().atMost(WAIT).until(() -> Fixture.cli("telemetry", "--device", "aws-5", "--last", "5", "--data", dir.toString()).out()
                    .contains("{\"t\":21}"));
            // outside its policy: PUBACK 0x87, and the session stays
            assertThat(d.publish("dt/aws-other/temp", "x").getResultPubAck().getReasonCode()).isEqualTo(PubAckPacket.PubAckReasonCode.NOT_AUTHORIZED);
            assertThat(d.publish("$aws/things/aws-other/shadow/get", "{}").getResultPubAck().getReasonCode())
                    .isEqualTo(PubAckPacket.PubAckReasonCode.NOT_AUTHORIZED);
            assertThat(d.subscribe("#")).isEqualTo(SubAckPacket.SubAckReasonCode.NOT_AUTHORIZED);
            assertThat(d.subscribe("$aws/things/aws-other/shadow/get/+")).isEqualTo(SubAckPacket.SubAckReasonCode.NOT_AUTHORIZED);

            // the classic shadow: 404 first, then reported, a back-end desired, the delta with the update's version
            String prefix = "$aws/things/aws-5/shadow";
            assertThat(d.subscribe(prefix + "/get/+")).isEqualTo(SubAckPacket.SubAckReasonCode.GRANTED_QOS_1);
            assertThat(d.subscribe(prefix + "/update/accepted")).isEqualTo(SubAckPacket.SubAckReasonCode.GRANTED_QOS_1);
            assertThat(d.subscribe(prefix + "/update/rejected")).isEqualTo(SubAckPacket.SubAckReasonCode.GRANTED_QOS_1);
            assertThat(d.subscribe(prefix + "/update/delta")).isEqualTo(SubAckPacket.SubAckReasonCode.GRANTED_QOS_1);
            assertThat(d.subscribe(prefix + "/delete/+")).isEqualTo(SubAckPacket.SubAckReasonCode.GRANTED_QOS_1);
            d.publish(prefix + "/get", "{\"thingName\":\"aws-5\",\"clientToken\":\"g1\"}");
            JsonNode m = d.next(prefix + "/get/rejected");
            assertThat(m.path("code").asInt()).isEqualTo(404);
            assertThat(m.path("clientToken").asText()).isEqualTo("g1");

            d.publish(prefix + "/update", "{\"clientToken\":\"u1\",\"state\":{\"reported\":{\"led\":\"off\"}}}");
            m = d.next(prefix + "/update/accepted");
            assertThat(m.path("version").asInt()).isEqualTo(1);
            assertThat(m.path("clientToken").asText()).isEqualTo("u1");

            Fixture.Run up = Fixture.cli("shadow", "update", "--device", "aws-5", "--desired", "{\"led\":\"on\"}", "--data", dir.toString());
            assertThat(up.code()).as(up.all()).isZero();
            JsonNode delta = d.next(prefix + "/update/delta");
            assertThat(delta.path("state").path("led").asText()).isEqualTo("on");
            assertThat(delta.path("version").asInt()).isEqualTo(2);

            // optimistic locking: a stale version is 409, the current one is accepted
            d.publish(prefix + "/update", "{\"clientToken\":\"u2\",\"version\":1,\"state\":{\"reported\":{\"led\":\"on\"}}}");
            m = d.next(prefix + "/update/rejected");
            assertThat(m.path("code").asInt()).isEqualTo(409);
            assertThat(m.path("clientToken").asText()).isEqualTo("u2");
            d.publish(prefix + "/update", "{\"clientToken\":\"u3\",\"version\":2,\"state\":{\"reported\":{\"led\":\"on\"}}}");
            assertThat(d.next(prefix + "/update/accepted").path("version").asInt()).isEqualTo(3);
            d.publish(prefix + "/get", "{\"clientToken\":\"g2\"}");
            m = d.next(prefix + "/get/accepted");
            assertThat(m.path("state").path("reported").path("led").asText()).isEqualTo("on");
            assertThat(m.path("state").has("delta")).isFalse();

            // a named shadow, then delete
            String named = prefix + "/name/cfg";
            assertThat(d.subscribe(named + "/update/accepted")).isEqualTo(SubAckPacket.SubAckReasonCode.GRANTED_QOS_1);
            assertThat(d.subscribe(named + "/delete/+")).isEqualTo(SubAckPacket.SubAckReasonCode.GRANTED_QOS_1);
            d.publish(named + "/update", "{\"clientToken\":\"n1\",\"state\":{\"desired\":{\"rate\":5}}}");
            assertThat(d.next(named + "/update/accepted").path("version").asInt()).isEqualTo(1);
            d.publish(named + "/delete", "{\"clientToken\":\"n2\"}");
            m = d.next(named + "/delete/accepted");
            assertThat(m.path("version").asInt()).isEqualTo(1);
            assertThat(m.path("clientToken").asText()).isEqualTo("n2");
            d.publish(named + "/delete", "{\"clientToken\":\"n3\"}");
            assertThat(d.next(named + "/delete/rejected").path("code").asInt()).isEqualTo(404);
        } finally {
            d.close();
        }
    }

    @Test
    void an_enrollments_policy_adds_telemetry_topics_for_its_devices_only() throws Exception {
        // a $ topic is never granted: refused when saved, with its reason
        Fixture.Run bad = Fixture.cli("enrollment", "add", "aws-bad", "--ca", "manufacturing", "--ids", "never-.*",
                "--aws-publish", "$aws/things/${thing}/shadow/#", "--data", dir.toString());
        assertThat(bad.code()).as(bad.all()).isNotZero();
        assertThat(bad.all()).contains("RESERVED_TOPIC");
        Fixture.Run add = Fixture.cli("enrollment", "add", "aws-line", "--ca", "manufacturing", "--ids", "aws-line-.*",
                "--aws-publish", "factory/${thing}/#", "--data", dir.toString());
        assertThat(add.code()).as(add.all()).isZero();
        Fixture.Run list = Fixture.cli("enrollment", "list", "--json", "--data", dir.toString());
        assertThat(list.out()).contains("factory/${thing}/#");

        Path[] lineCreds = factory("aws-line-1");
        register("aws-line-1", serials.get("aws-line-1"), "aws-line");
        Path[] otherCreds = factory("aws-plain-1");
        register("aws-plain-1", serials.get("aws-plain-1"), "default");
        Device line = Device.start(host, port, root(), lineCreds, "aws-line-1");
        Device other = Device.start(host, port, root(), otherCreds, "aws-plain-1");
        try {
            assertThat(line.connected.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(other.connected.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(line.publish("factory/aws-line-1/temp", "{\"line\":7}").getResultPubAck().getReasonCode())
                    .isEqualTo(PubAckPacket.PubAckReasonCode.SUCCESS);
            await().atMost(WAIT).until(() -> Fixture.cli("telemetry", "--device", "aws-line-1", "--last", "5", "--data", dir.toString()).out()
                    .contains("{\"line\":7}"));
            // ${thing} is the connecting thing: another one's factory topic stays refused
            assertThat(line.publish("factory/aws-plain-1/temp", "x").getResultPubAck().getReasonCode())
                    .isEqualTo(PubAckPacket.PubAckReasonCode.NOT_AUTHORIZED);
            // a device of an enrollment without the policy: the default policy alone
            assertThat(other.publish("factory/aws-plain-1/temp", "x").getResultPubAck().getReasonCode())
                    .isEqualTo(PubAckPacket.PubAckReasonCode.NOT_AUTHORIZED);
            assertThat(other.publish("dt/aws-plain-1/temp", "y").getResultPubAck().getReasonCode())
                    .isEqualTo(PubAckPacket.PubAckReasonCode.SUCCESS);
        } finally {
            line.close();
            other.close();
        }
    }

    @Test
    void the_sdks_v2_shadow_client_gets_its_answers_matched_by_client_token() throws Exception {
        Device d = Device.start(host, port, root(), device("aws-v2"), "aws-v2");
        try (software.amazon.awssdk.iot.iotshadow.IotShadowV2Client shadow = software.amazon.awssdk.iot.iotshadow.IotShadowV2Client.newFromMqtt5(
                d.client, software.amazon.awssdk.crt.iot.MqttRequestResponseClientOptions.builder()
                        .withMaxRequestResponseSubscriptions(4).withMaxStreamingSubscriptions(2).withOperationTimeoutSeconds(10).build())) {
            assertThat(d.connected.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            software.amazon.awssdk.iot.iotshadow.model.GetShadowRequest get = new software.amazon.awssdk.iot.iotshadow.model.GetShadowRequest();
            get.thingName = "aws-v2";
            assertThat(shadow.getShadow(get)).failsWithin(WAIT).withThrowableThat().havingCause()
                    .isInstanceOfSatisfying(software.amazon.awssdk.iot.iotshadow.model.V2ErrorResponseException.class,
                            e -> assertThat(e.getModeledError().code).isEqualTo(404));

            software.amazon.awssdk.iot.iotshadow.model.UpdateShadowRequest up = new software.amazon.awssdk.iot.iotshadow.model.UpdateShadowRequest();
            up.thingName = "aws-v2";
            up.state = new software.amazon.awssdk.iot.iotshadow.model.ShadowState();
            up.state.reported = new java.util.HashMap<>(Map.of("fw", "1.0"));
            assertThat(shadow.updateShadow(up).get(WAIT.toSeconds(), TimeUnit.SECONDS).version).isEqualTo(1);
            software.amazon.awssdk.iot.iotshadow.model.GetShadowResponse doc = shadow.getShadow(get).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(doc.version).isEqualTo(1);
            assertThat(doc.state.reported).containsEntry("fw", "1.0");
            assertThat(doc.timestamp.getTime()).isBetween(System.currentTimeMillis() - 60_000, System.currentTimeMillis() + 1_000);

            up.version = 7;
            assertThat(shadow.updateShadow(up)).failsWithin(WAIT).withThrowableThat().havingCause()
                    .isInstanceOfSatisfying(software.amazon.awssdk.iot.iotshadow.model.V2ErrorResponseException.class,
                            e -> assertThat(e.getModeledError().code).isEqualTo(409));
        } finally {
            d.close();
        }
    }

    @Test
    void a_second_thing_never_sees_the_first_ones_shadow_answers() throws Exception {
        Device first = Device.start(host, port, root(), device("aws-a"), "aws-a");
        Device second = Device.start(host, port, root(), device("aws-b"), "aws-b");
        try {
            assertThat(first.connected.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(second.connected.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            String prefix = "$aws/things/aws-a/shadow";
            assertThat(second.subscribe(prefix + "/get/+")).isEqualTo(SubAckPacket.SubAckReasonCode.NOT_AUTHORIZED);
            assertThat(second.subscribe("$aws/things/+/shadow/get/+")).isEqualTo(SubAckPacket.SubAckReasonCode.NOT_AUTHORIZED);
            assertThat(first.subscribe(prefix + "/get/+")).isEqualTo(SubAckPacket.SubAckReasonCode.GRANTED_QOS_1);
            first.publish(prefix + "/get", "{\"clientToken\":\"mine\"}");
            assertThat(first.next(prefix + "/get/rejected").path("clientToken").asText()).isEqualTo("mine");
            // the answer went to the requester only; the second thing's own requests still work
            assertThat(second.subscribe("$aws/things/aws-b/shadow/get/+")).isEqualTo(SubAckPacket.SubAckReasonCode.GRANTED_QOS_1);
            second.publish("$aws/things/aws-b/shadow/get", "{\"clientToken\":\"theirs\"}");
            assertThat(second.next("$aws/things/aws-b/shadow/get/rejected").path("clientToken").asText()).isEqualTo("theirs");
            assertThat(second.all).isNotEmpty().allSatisfy(r -> assertThat(r).doesNotContain("aws-a").doesNotContain("mine"));
        } finally {
            first.close();
            second.close();
        }
    }

    @Test
    void only_the_certificates_thing_with_our_ca_connects() throws Exception {
        Path[] creds = device("aws-id");
        Device other = Device.start(host, port, root(), creds, "not-aws-id");
        try {
            OnConnectionFailureReturn f = other.failed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(f.getConnAckPacket().getReasonCode()).isEqualTo(ConnAckPacket.ConnectReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
        } finally {
            other.close();
        }
        Device right = Device.start(host, port, root(), creds, "aws-id");
        try {
            assertThat(right.connected.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        } finally {
            right.close();
        }

        // a registered thing name on a certificate from another CA
        register("aws-foreign", null);
        TestPki.Issued foreign = TestPki.create().device("aws-foreign");
        Path cert = dir.resolve("aws-foreign-x.crt");
        Path key = dir.resolve("aws-foreign-x.key");
        Files.writeString(cert, Pem.write(foreign.cert()));
        Files.writeString(key, Pem.write(foreign.key().getPrivate()));
        Device stranger = Device.start(host, port, root(), new Path[] {cert, key}, "aws-foreign");
        try {
            OnConnectionFailureReturn f = stranger.failed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(f.getConnAckPacket().getReasonCode()).isEqualTo(ConnAckPacket.ConnectReasonCode.NOT_AUTHORIZED);
        } finally {
            stranger.close();
        }
    }

    @Test
    void revocation_ends_the_live_session_within_two_seconds_and_refuses_the_reconnect() throws Exception {
        Path[] creds = device("aws-rev");
        Device d = Device.start(host, port, root(), creds, "aws-rev");
        try {
            assertThat(d.connected.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            String serial = serials.get("aws-rev");
            long t0 = System.nanoTime();
            server.authority().revocation().revoke(serial, 1, "test");
            d.disconnected.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        } finally {
            d.close();
        }
        Device again = Device.start(host, port, root(), creds, "aws-rev");
        try {
            assertThat(again.failed.get(WAIT.toSeconds(), TimeUnit.SECONDS).getConnAckPacket().getReasonCode())
                    .isEqualTo(ConnAckPacket.ConnectReasonCode.NOT_AUTHORIZED);
        } finally {
            again.close();
        }
    }

    @Test
    void mqtt311_connection_sends_telemetry_gets_its_shadow_and_is_cut_for_a_foreign_topic() throws Exception {
        Path[] creds = device("aws-3");
        BlockingQueue<String> interrupted = new LinkedBlockingQueue<>();
        MqttClientConnection c = connection311(creds, "aws-3", interrupted);
        try {
            assertThat(c.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isFalse();
            c.publish(new MqttMessage("dt/aws-3/temp", "{\"v3\":1}".getBytes(StandardCharsets.UTF_8), QualityOfService.AT_LEAST_ONCE))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> Fixture.cli("telemetry", "--device", "aws-3", "--last", "5", "--data", dir.toString()).out()
                    .contains("{\"v3\":1}"));
            BlockingQueue<String> answers = new LinkedBlockingQueue<>();
            c.subscribe("$aws/things/aws-3/shadow/get/+", QualityOfService.AT_LEAST_ONCE,
                    msg -> answers.add(msg.getTopic() + " " + new String(msg.getPayload(), StandardCharsets.UTF_8))).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            c.publish(new MqttMessage("$aws/things/aws-3/shadow/get", new byte[0], QualityOfService.AT_LEAST_ONCE)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(answers.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).startsWith("$aws/things/aws-3/shadow/get/rejected ").contains("\"code\":404");
            // 3.1.1 has no PUBACK reason: a publish outside the policy ends the session, as on the Azure dialect
            c.publish(new MqttMessage("dt/aws-other/temp", new byte[] {1}, QualityOfService.AT_LEAST_ONCE));
            assertThat(interrupted.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
        } finally {
            c.disconnect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            c.close();
        }
        MqttClientConnection wrong = connection311(creds, "aws-3-other", new LinkedBlockingQueue<>());
        try {
            CompletableFuture<Boolean> f = wrong.connect();
            // CONNACK 0x02 (identifier rejected, IDENTITY_MISMATCH in the server's log): the CRT's 3.1.1 client reports a failed connect
            assertThat(f).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(software.amazon.awssdk.crt.mqtt.MqttException.class);
        } finally {
            wrong.close();
        }
    }

    private static final String FROM_CSR = "$aws/certificates/create-from-csr/json";
    private static final String PROVISION = "$aws/provisioning-templates/default/provision/json";

    @Test
    void fleet_provisioning_from_the_factory_certificate_then_telemetry_and_rotation_keep_the_thing() throws Exception {
        Device bystander = Device.start(host, port, root(), device("aws-fp-by"), "aws-fp-by");
        Device d = Device.start(host, port, root(), factory("aws-fp"), "aws-fp");
        Path[] operational;
        try (IotIdentityV2Client identity = identity(d)) {
            assertThat(bystander.connected.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            for (String t : List.of(FROM_CSR + "/accepted", FROM_CSR + "/rejected", PROVISION + "/accepted", PROVISION + "/rejected")) {
                assertThat(bystander.subscribe(t)).isEqualTo(SubAckPacket.SubAckReasonCode.GRANTED_QOS_1);
            }
            assertThat(d.connected.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            // the key is made on the device; only its CSR travels
            KeyPair kp = KeyAlgorithm.EC_P256.generate();
            CreateCertificateFromCsrResponse cert = identity.createCertificateFromCsr(fromCsr(csrPem("aws-fp", kp))).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(cert.certificateId).hasSize(64);
            RegisterThingResponse thing = identity.registerThing(registerThing("default", cert.certificateOwnershipToken, "aws-fp"))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(thing.thingName).isEqualTo("aws-fp");
            assertThat(thing.deviceConfiguration).isNotNull();
            operational = files("aws-fp-op", cert.certificatePem, kp);
            // the answers went to the requesting connection only
            assertThat(bystander.all).isEmpty();
        } finally {
            d.close();
            bystander.close();
        }

        Path[] rotated;
        Device op = Device.start(host, port, root(), operational, "aws-fp");
        try (IotIdentityV2Client identity = identity(op)) {
            assertThat(op.connected.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(op.publish("dt/aws-fp/temp", "{\"fp\":1}").getResultPubAck().getReasonCode()).isEqualTo(PubAckPacket.PubAckReasonCode.SUCCESS);
            await().atMost(WAIT).until(() -> Fixture.cli("telemetry", "--device", "aws-fp", "--last", "5", "--data", dir.toString()).out()
                    .contains("{\"fp\":1}"));
            // rotation on the operational certificate: a new key, the same thing
            KeyPair next = KeyAlgorithm.EC_P256.generate();
            CreateCertificateFromCsrResponse renewed = identity.createCertificateFromCsr(fromCsr(csrPem("aws-fp", next)))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            X509Certificate was = Pem.readCertificates(Files.readString(operational[0])).get(0);
            X509Certificate now = Pem.readCertificates(renewed.certificatePem).get(0);
            assertThat(now.getSerialNumber()).isNotEqualTo(was.getSerialNumber());
            assertThat(now.getPublicKey()).isEqualTo(next.getPublic());
            assertThat(now.getSubjectX500Principal()).isEqualTo(was.getSubjectX500Principal());
            rotated = files("aws-fp-rot", renewed.certificatePem, next);
        } finally {
            op.close();
        }
        Device again = Device.start(host, port, root(), rotated, "aws-fp");
        try {
            assertThat(again.connected.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(again.publish("dt/aws-fp/temp", "{\"fp\":2}").getResultPubAck().getReasonCode()).isEqualTo(PubAckPacket.PubAckReasonCode.SUCCESS);
        } finally {
            again.close();
        }
        assertThat(server.store().deviceRegistry().find("aws-fp")).hasValueSatisfying(r -> assertThat(r.enrollment()).isEqualTo("default"));
    }

    @Test
    void an_ownership_token_from_before_a_restart_still_registers_its_thing() throws Exception {
        Path[] factory = factory("aws-rs");
        Device d = Device.start(host, port, root(), factory, "aws-rs");
        CreateCertificateFromCsrResponse cert;
        try (IotIdentityV2Client identity = identity(d)) {
            assertThat(d.connected.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            cert = identity.createCertificateFromCsr(fromCsr(csrPem("aws-rs", KeyAlgorithm.EC_P256.generate()))).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            d.close();
        }
        // the node restarts between create-from-csr and RegisterThing: its token key is the store's, not the process's
        server.close();
        server = Fixture.start(dir, env);
        Device again = Device.start(host, port, root(), factory, "aws-rs");
        try (IotIdentityV2Client identity = identity(again)) {
            assertThat(again.connected.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertRejected(identity.registerThing(registerThing("default", cert.certificateOwnershipToken.replace('.', '!'), null)), 400,
                    "OWNERSHIP_TOKEN_INVALID");
            assertThat(identity.registerThing(registerThing("default", cert.certificateOwnershipToken, "aws-rs")).get(WAIT.toSeconds(),
                    TimeUnit.SECONDS).thingName).isEqualTo("aws-rs");
        } finally {
            again.close();
        }
    }

    @Test
    void provisioning_refusals_carry_our_reason_codes_in_aws_shape_and_are_audited() throws Exception {
        Device d = Device.start(host, port, root(), factory("aws-fr"), "aws-fr");
        try (IotIdentityV2Client identity = identity(d)) {
            assertThat(d.connected.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            // keys made by the server are refused by default
            assertRejected(identity.createKeysAndCertificate(new CreateKeysAndCertificateRequest()), 403, "SERVER_KEYS_REFUSED");
            // a CSR for another identity: the CA's refusal
            V2ErrorResponse other = rejection(identity.createCertificateFromCsr(fromCsr(csrPem("aws-other", KeyAlgorithm.EC_P256.generate()))));
            assertThat(other.statusCode).isEqualTo(400);
            assertThat(other.errorCode).isNotBlank();
            assertRejected(identity.registerThing(registerThing("default", "forged.token", null)), 400, "OWNERSHIP_TOKEN_INVALID");

            CreateCertificateFromCsrResponse cert = identity.createCertificateFromCsr(fromCsr(csrPem("aws-fr", KeyAlgorithm.EC_P256.generate())))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertRejected(identity.registerThing(registerThing("default", cert.certificateOwnershipToken, "aws-other")), 403, "THING_NAME_MISMATCH");
            assertRejected(identity.registerThing(registerThing("no-such", cert.certificateOwnershipToken, null)), 404, "TEMPLATE_NOT_FOUND");
            // the same token, thing name and template that cover the device: accepted
            assertThat(identity.registerThing(registerThing("default", cert.certificateOwnershipToken, "aws-fr")).get(WAIT.toSeconds(), TimeUnit.SECONDS)
                    .thingName).isEqualTo("aws-fr");
        } finally {
            d.close();
        }
        List<String> audited = server.store().audit().latest(List.of("device:aws-fr"), Long.MAX_VALUE, 20).stream()
                .filter(e -> e.type().equals("aws.provisioning.refused")).map(e -> reason(e.detailsJson())).toList();
        assertThat(audited).contains("SERVER_KEYS_REFUSED", "OWNERSHIP_TOKEN_INVALID", "THING_NAME_MISMATCH", "TEMPLATE_NOT_FOUND").hasSize(5);
    }

    @Test
    void just_in_time_provisioning_accepts_a_factory_devices_first_connection_and_nobody_elses() throws Exception {
        Device d = Device.start(host, port, root(), factory("aws-jitp"), "aws-jitp");
        try {
            assertThat(d.connected.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(d.publish("dt/aws-jitp/temp", "1").getResultPubAck().getReasonCode()).isEqualTo(PubAckPacket.PubAckReasonCode.SUCCESS);
        } finally {
            d.close();
        }
        assertThat(server.store().deviceRegistry().find("aws-jitp")).hasValueSatisfying(r -> assertThat(r.enrollment()).isEqualTo("default"));

        // a revoked factory certificate: refused, and nothing registered
        Path[] revoked = factory("aws-jitp-rev");
        server.authority().revocation().revoke(serials.get("aws-jitp-rev"), 1, "test");
        Device r = Device.start(host, port, root(), revoked, "aws-jitp-rev");
        try {
            assertThat(r.failed.get(WAIT.toSeconds(), TimeUnit.SECONDS).getConnAckPacket().getReasonCode())
                    .isEqualTo(ConnAckPacket.ConnectReasonCode.NOT_AUTHORIZED);
        } finally {
            r.close();
        }
        // a certificate from a foreign CA: refused, and nothing registered
        TestPki.Issued foreign = TestPki.create().device("aws-jitp-x");
        Path cert = dir.resolve("aws-jitp-x.crt");
        Path key = dir.resolve("aws-jitp-x.key");
        Files.writeString(cert, Pem.write(foreign.cert()));
        Files.writeString(key, Pem.write(foreign.key().getPrivate()));
        Device x = Device.start(host, port, root(), new Path[] {cert, key}, "aws-jitp-x");
        try {
            assertThat(x.failed.get(WAIT.toSeconds(), TimeUnit.SECONDS).getConnAckPacket().getReasonCode())
                    .isEqualTo(ConnAckPacket.ConnectReasonCode.NOT_AUTHORIZED);
        } finally {
            x.close();
        }
        assertThat(server.store().deviceRegistry().find("aws-jitp-rev")).isEmpty();
        assertThat(server.store().deviceRegistry().find("aws-jitp-x")).isEmpty();
    }

    private static String reason(String detailsJson) {
        try {
            return JSON.readTree(detailsJson).path("reason").asText();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static IotIdentityV2Client identity(Device d) {
        return IotIdentityV2Client.newFromMqtt5(d.client, software.amazon.awssdk.crt.iot.MqttRequestResponseClientOptions.builder()
                .withMaxRequestResponseSubscriptions(4).withMaxStreamingSubscriptions(2).withOperationTimeoutSeconds(10).build());
    }

    private static CreateCertificateFromCsrRequest fromCsr(String pem) {
        CreateCertificateFromCsrRequest r = new CreateCertificateFromCsrRequest();
        r.certificateSigningRequest = pem;
        return r;
    }

    private static RegisterThingRequest registerThing(String template, String token, String thingName) {
        RegisterThingRequest r = new RegisterThingRequest();
        r.templateName = template;
        r.certificateOwnershipToken = token;
        r.parameters = new java.util.HashMap<>();
        if (thingName != null) {
            r.parameters.put("ThingName", thingName);
        }
        return r;
    }

    private static V2ErrorResponse rejection(CompletableFuture<?> f) {
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(V2ErrorResponseException.class);
        return ((V2ErrorResponseException) e.getCause()).getModeledError();
    }

    private static void assertRejected(CompletableFuture<?> f, int status, String code) {
        V2ErrorResponse r = rejection(f);
        assertThat(r.errorCode).isEqualTo(code);
        assertThat(r.statusCode).isEqualTo(status);
        assertThat(r.errorMessage).isNotBlank();
    }

    private static String csrPem(String id, KeyPair kp) throws Exception {
        return Pem.write(new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + id), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
    }

    private static Path[] files(String name, String certificatePem, KeyPair kp) throws Exception {
        Path crt = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        Files.writeString(crt, certificatePem);
        Files.writeString(key, Pem.write(kp.getPrivate()));
        return new Path[] {crt, key};
    }

    private MqttClientConnection connection311(Path[] creds, String clientId, BlockingQueue<String> interrupted) {
        try (AwsIotMqttConnectionBuilder b = AwsIotMqttConnectionBuilder.newMtlsBuilderFromPath(creds[0].toString(), creds[1].toString())) {
            return b.withCertificateAuthorityFromPath(null, root().toString())
                    .withEndpoint(host)
                    .withPort((int) port)
                    .withClientId(clientId)
                    .withCleanSession(true)
                    .withConnectionEventCallbacks(new MqttClientConnectionEvents() {
                        @Override
                        public void onConnectionInterrupted(int errorCode) {
                            interrupted.add("interrupted " + errorCode);
                        }

                        @Override
                        public void onConnectionResumed(boolean sessionPresent) {}
                    })
                    .build();
        }
    }

    private Path root() {
        return root;
    }

    /** A thing registered on hub-1 (the AWS endpoint serves every hub's devices) with a factory certificate: {cert chain, key} files. */
    private Path[] device(String id) throws Exception {
        Path[] files = factory(id);
        register(id, serials.get(id));
        return files;
    }

    /** A factory certificate (manufacturing CA) the registry does not know yet: {cert chain, key} files. */
    private Path[] factory(String id) throws Exception {
        KeyPair kp = KeyAlgorithm.EC_P256.generate();
        byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + id), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
        IssuedCertificate cert = server.authority().issue(IssuanceRequest.byAdmin("admin:test", "manufacturing", csr));
        serials.put(id, cert.serialHex());
        Path crt = dir.resolve(id + ".crt");
        Path key = dir.resolve(id + ".key");
        Files.writeString(crt, Pem.write(cert.certificate(), cert.chain().get(0)));
        Files.writeString(key, Pem.write(kp.getPrivate()));
        return new Path[] {crt, key};
    }

    private void register(String id, String serial) {
        register(id, serial, "test");
    }

    private void register(String id, String serial, String enrollment) {
        Instant now = Instant.now();
        server.store().deviceRegistry().save(new DeviceRecord(id, "hub-1", true, enrollment, "{}", "{}", "assigned", "initialAssignment",
                serial, 0, now, now), null);
    }

    /** An SDK MQTT 5 client, its lifecycle events as futures and what it received. */
    private static final class Device implements AutoCloseable {
        final CompletableFuture<Boolean> connected = new CompletableFuture<>();
        final CompletableFuture<OnConnectionFailureReturn> failed = new CompletableFuture<>();
        final CompletableFuture<OnDisconnectionReturn> disconnected = new CompletableFuture<>();
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        /** Everything received, kept (next() takes from received). */
        final List<String> all = new java.util.concurrent.CopyOnWriteArrayList<>();
        Mqtt5Client client;

        static Device start(String host, long port, Path root, Path[] creds, String clientId) {
            Device d = new Device();
            try (AwsIotMqtt5ClientBuilder b = AwsIotMqtt5ClientBuilder.newDirectMqttBuilderWithMtlsFromPath(host, creds[0].toString(),
                    creds[1].toString())) {
                b.withCertificateAuthorityFromPath(null, root.toString())
                        .withPort(port)
                        .withMinReconnectDelayMs(60_000L)
                        .withMaxReconnectDelayMs(60_000L)
                        .withConnectProperties(new ConnectPacket.ConnectPacketBuilder().withClientId(clientId))
                        .withLifeCycleEvents(new Mqtt5ClientOptions.LifecycleEvents() {
                            @Override
                            public void onAttemptingConnect(Mqtt5Client c, OnAttemptingConnectReturn r) {}

                            @Override
                            public void onConnectionSuccess(Mqtt5Client c, OnConnectionSuccessReturn r) {
                                d.connected.complete(true);
                            }

                            @Override
                            public void onConnectionFailure(Mqtt5Client c, OnConnectionFailureReturn r) {
                                d.failed.complete(r);
                            }

                            @Override
                            public void onDisconnection(Mqtt5Client c, OnDisconnectionReturn r) {
                                d.disconnected.complete(r);
                            }

                            @Override
                            public void onStopped(Mqtt5Client c, OnStoppedReturn r) {}
                        })
                        .withPublishEvents((c, r) -> {
                            String m = r.getPublishPacket().getTopic() + " " + new String(r.getPublishPacket().getPayload(), StandardCharsets.UTF_8);
                            d.all.add(m);
                            d.received.add(m);
                        });
                d.client = b.build();
            }
            d.client.start();
            return d;
        }

        software.amazon.awssdk.crt.mqtt5.PublishResult publish(String topic, String payload) throws Exception {
            return client.publish(new PublishPacket.PublishPacketBuilder().withTopic(topic).withQOS(QOS.AT_LEAST_ONCE)
                    .withPayload(payload.getBytes(StandardCharsets.UTF_8)).build()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        SubAckPacket.SubAckReasonCode subscribe(String filter) throws Exception {
            List<SubAckPacket.SubAckReasonCode> codes = client.subscribe(new SubscribePacket.SubscribePacketBuilder().withSubscription(filter, QOS.AT_LEAST_ONCE)
                    .build()).get(WAIT.toSeconds(), TimeUnit.SECONDS).getReasonCodes();
            return codes.get(0);
        }

        /** The next message received on {@code topic} (others before it are skipped), as JSON. */
        JsonNode next(String topic) throws Exception {
            long until = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < until) {
                String m = received.poll(100, TimeUnit.MILLISECONDS);
                if (m != null && m.startsWith(topic + " ")) {
                    return JSON.readTree(m.substring(topic.length() + 1));
                }
            }
            throw new AssertionError("nothing on " + topic + " within " + WAIT);
        }

        @Override
        public void close() {
            client.stop();
            client.close();
        }
    }
}
