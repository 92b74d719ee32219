package dev.imprint.dps;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.pki.KeyAlgorithm;
import dev.imprint.store.Store;
import dev.imprint.testkit.MovableClock;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two provisioning nodes on one store, each with its own HTTPS listener: the device registers on
 * node A and polls node B (as a round-robin balancer sends it), also after A is gone. Run on an
 * SQLite file ({@link DpsNodesSqliteIT}) and on a real PostgreSQL ({@link DpsNodesPostgresIT}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class DpsNodesContract {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String HOST_A = DpsFixture.HOST;
    static final String HOST_B = "127.0.0.13";

    @TempDir
    static Path dir;

    DpsFixture f;
    Store storeA;
    Store storeB;
    final MovableClock clock = MovableClock.at(Instant.now());
    ProvisioningService a;
    ProvisioningService b;
    int n;

    /** A new store on the database both nodes share (each call: a store of its own, as a separate process would open). */
    protected abstract Store openStore();

    protected void startDatabase() throws Exception {}

    protected void stopDatabase() throws Exception {}

    @BeforeAll
    void setUp() throws Exception {
        f = new DpsFixture(dir);
        startDatabase();
        storeA = openStore();
        storeB = openStore();
    }

    @AfterAll
    void tearDown() throws Exception {
        storeA.close();
        storeB.close();
        f.close();
        stopDatabase();
    }

    @BeforeEach
    void startNodes() {
        n++;
        a = node(storeA, HOST_A, s -> s);
        a.ensureDefaults(f.manufacturing());
        b = node(storeB, HOST_B, s -> s);
    }

    @AfterEach
    void stopNodes() {
        if (a != null) {
            a.close();
        }
        b.close();
    }

    ProvisioningService node(Store store, String host, UnaryOperator<DpsSettings> settings) {
        return ProvisioningService.start(settings.apply(f.settings().withHttps(host, 0).withClock(clock)), store, f.issuer());
    }

    HttpResponse<String> registerOnA(HttpsDevice device, String id, String body) throws Exception {
        HttpResponse<String> r = device.register(HOST_A, a.httpsPort(), id, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return r;
    }

    static String operationId(HttpResponse<String> accepted) throws Exception {
        return JSON.readTree(accepted.body()).path("operationId").asText();
    }

    static String csrBody(String id, KeyPair key, String csrIdentity) {
        return "{\"registrationId\":\"" + id + "\",\"csr\":\"" + Base64.getEncoder().encodeToString(DpsFixture.csr(key, csrIdentity)) + "\"}";
    }

    @Test
    void a_registration_taken_by_one_node_is_polled_on_the_other_with_the_same_bytes() throws Exception {
        String id = "nodes-csr-" + n;
        HttpsDevice device = new HttpsDevice(f.device(id), f.root());
        KeyPair operationalKey = KeyAlgorithm.EC_P256.generate();
        String op = operationId(registerOnA(device, id, csrBody(id, operationalKey, id)));

        HttpResponse<String> onA = device.poll(HOST_A, a.httpsPort(), id, op);
        HttpResponse<String> onB = device.poll(HOST_B, b.httpsPort(), id, op);
        assertThat(onA.statusCode()).as(onA.body()).isEqualTo(200);
        assertThat(onB.statusCode()).as(onB.body()).isEqualTo(200);
        assertThat(onB.body()).as("the same answer from either node").isEqualTo(onA.body());
        assertThat(onB.headers().firstValue("Retry-After")).isEqualTo(onA.headers().firstValue("Retry-After"));

        JsonNode state = JSON.readTree(onB.body()).path("registrationState");
        assertThat(JSON.readTree(onB.body()).path("status").asText()).isEqualTo("assigned");
        assertThat(state.path("assignedHub").asText()).isIn("127.0.0.3", "127.0.0.4");
        assertThat(state.path("deviceId").asText()).isEqualTo(id);
        assertThat(state.path("etag").asText()).isEqualTo("\"1\"");
        JsonNode chain = state.path("issuedCertificateChain");
        assertThat(chain.size()).isGreaterThanOrEqualTo(2);
        X509Certificate issued = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(chain.get(0).asText())));
        assertThat(issued.getPublicKey()).isEqualTo(operationalKey.getPublic());
        assertThat(issued.getSubjectX500Principal().getName()).contains("CN=" + id);
    }

    @Test
    void the_poll_is_answered_after_the_node_that_took_the_registration_is_gone() throws Exception {
        String id = "nodes-gone-" + n;
        HttpsDevice device = new HttpsDevice(f.device(id), f.root());
        String op = operationId(registerOnA(device, id, csrBody(id, KeyAlgorithm.EC_P256.generate(), id)));
        a.close();
        a = null;

        HttpResponse<String> onB = device.poll(HOST_B, b.httpsPort(), id, op);
        assertThat(onB.statusCode()).as(onB.body()).isEqualTo(200);
        JsonNode s = JSON.readTree(onB.body());
        assertThat(s.path("status").asText()).isEqualTo("assigned");
        assertThat(s.path("registrationState").path("deviceId").asText()).isEqualTo(id);
        assertThat(s.path("registrationState").path("issuedCertificateChain").size()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void a_failed_registration_polled_on_the_other_node_answers_the_failure() throws Exception {
        String id = "nodes-thief-" + n;
        HttpsDevice device = new HttpsDevice(f.device(id), f.root());
        String op = operationId(registerOnA(device, id, csrBody(id, KeyAlgorithm.EC_P256.generate(), "victim-" + n)));

        HttpResponse<String> onB = device.poll(HOST_B, b.httpsPort(), id, op);
        assertThat(onB.statusCode()).as(onB.body()).isEqualTo(200);
        JsonNode s = JSON.readTree(onB.body());
        assertThat(s.path("status").asText()).isEqualTo("failed");
        assertThat(s.path("registrationState").path("errorCode").asInt()).isEqualTo(DpsReason.CSR_REFUSED.errorCode());
        assertThat(s.path("registrationState").path("errorMessage").asText()).startsWith("CSR_REFUSED: ");
        assertThat(onB.body()).isEqualTo(device.poll(HOST_A, a.httpsPort(), id, op).body());
    }

    @Test
    void an_unknown_or_another_devices_operation_is_404_on_every_node() throws Exception {
        String id = "nodes-owner-" + n;
        HttpsDevice owner = new HttpsDevice(f.device(id), f.root());
        String op = operationId(registerOnA(owner, id, "{}"));
        String otherId = "nodes-other-" + n;
        HttpsDevice other = new HttpsDevice(f.device(otherId), f.root());

        for (HttpResponse<String> r : new HttpResponse[] {
                owner.poll(HOST_B, b.httpsPort(), id, UUID.randomUUID().toString()),
                other.poll(HOST_B, b.httpsPort(), otherId, op),
                other.poll(HOST_A, a.httpsPort(), otherId, op)}) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
            assertThat(JSON.readTree(r.body()).path("reason").asText()).isEqualTo("OPERATION_NOT_FOUND");
        }
        assertThat(owner.poll(HOST_B, b.httpsPort(), id, op).statusCode()).as("the owner's own poll").isEqualTo(200);
    }

    @Test
    void an_operation_expires_on_every_node_after_its_ttl_and_is_swept() throws Exception {
        String id = "nodes-expiry-" + n;
        HttpsDevice device = new HttpsDevice(f.device(id), f.root());
        String op = operationId(registerOnA(device, id, "{}"));
        Instant registered = clock.instant();
        Duration ttl = a.settings().operationTtl();

        clock.advance(ttl);
        assertThat(device.poll(HOST_B, b.httpsPort(), id, op).statusCode()).as("until the TTL").isEqualTo(200);
        clock.advance(Duration.ofSeconds(1));
        HttpResponse<String> expired = device.poll(HOST_B, b.httpsPort(), id, op);
        assertThat(expired.statusCode()).as(expired.body()).isEqualTo(404);
        assertThat(JSON.readTree(expired.body()).path("reason").asText()).isEqualTo("OPERATION_NOT_FOUND");

        assertThat(storeB.deviceRegistry().findOperation(op, registered)).as("still stored before the sweep").isPresent();
        assertThat(b.sweep()).isGreaterThanOrEqualTo(1);
        assertThat(storeA.deviceRegistry().findOperation(op, registered)).as("swept").isEmpty();
        assertThat(storeA.deviceRegistry().find(id)).as("the device stays registered").isPresent();
    }

    @Test
    void the_overall_rate_is_shared_by_the_live_nodes() throws Exception {
        a.close();
        // 1 registration/s for the service, 1000 live nodes: this node's share is one per 1000 s
        a = node(storeA, HOST_A, s -> s.withRateLimits(1, 0).withLiveDpsNodes(() -> 1000));
        String first = "nodes-rate-a-" + n;
        registerOnA(new HttpsDevice(f.device(first), f.root()), first, "{}");
        String second = "nodes-rate-b-" + n;
        HttpResponse<String> limited = new HttpsDevice(f.device(second), f.root()).register(HOST_A, a.httpsPort(), second, "{}");
        assertThat(limited.statusCode()).as(limited.body()).isEqualTo(429);
        assertThat(JSON.readTree(limited.body()).path("reason").asText()).isEqualTo("RATE_LIMITED");
        assertThat(Integer.parseInt(limited.headers().firstValue("Retry-After").orElseThrow())).isBetween(900, 1000);
    }
}
