package dev.imprint.dps;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The HTTPS device API on the wire: status codes, bodies, Retry-After, the payload forms. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpsWireIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    DpsFixture f;
    ProvisioningService dps;

    @BeforeEach
    void start() {
        f = new DpsFixture(dir);
        dps = ProvisioningService.start(f.settings().withHttps("127.0.0.13", 0).withRateLimits(0, 2), f.store, f.issuer());
        dps.ensureDefaults(f.manufacturing());
    }

    @AfterEach
    void stop() {
        dps.close();
        f.close();
    }

    HttpsDevice client(DpsFixture.Device d) {
        return new HttpsDevice(d, f.root());
    }

    HttpResponse<String> put(HttpsDevice c, String id, String body) throws Exception {
        return c.register("127.0.0.13", dps.httpsPort(), id, body);
    }

    @Test
    void register_answers_202_assigning_then_the_poll_answers_assigned_with_an_object_payload() throws Exception {
        DpsFixture.Device d = f.device("wire-1");
        HttpsDevice c = client(d);
        // the Java SDK's form: the payload is a string holding JSON
        HttpResponse<String> r = put(c, d.id(), "{\"registrationId\":\"wire-1\",\"payload\":\"{\\\"modelId\\\":\\\"m\\\"}\"}");
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("2");
        JsonNode accepted = JSON.readTree(r.body());
        assertThat(accepted.path("status").asText()).isEqualTo("assigning");
        String op = accepted.path("operationId").asText();

        HttpResponse<String> poll = c.poll("127.0.0.13", dps.httpsPort(), "wire-1", op);
        assertThat(poll.statusCode()).isEqualTo(200);
        JsonNode s = JSON.readTree(poll.body());
        assertThat(s.path("status").asText()).isEqualTo("assigned");
        assertThat(s.path("registrationState").path("assignedHub").asText()).isIn("127.0.0.3", "127.0.0.4");
        assertThat(s.path("registrationState").path("deviceId").asText()).isEqualTo("wire-1");
        assertThat(s.path("registrationState").path("etag").asText()).isNotEmpty();
    }

    @Test
    void an_anonymous_register_is_401_and_writes_nothing_to_the_store() throws Exception {
        String chosen = "victim-" + "x".repeat(3000);
        HttpResponse<String> r = put(HttpsDevice.anonymous(f.root()), chosen, "{}");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(r.body()).path("reason").asText()).isEqualTo("CLIENT_CERT_REQUIRED");
        assertThat(f.store.deviceRegistry().history(chosen, 10, 0)).isEmpty();
        assertThat(f.store.deviceRegistry().history(null, 10, 0)).as("no row under any ID").isEmpty();
    }

    @Test
    void id_mismatch_is_401_with_its_reason_and_the_rate_limit_is_429_with_retry_after() throws Exception {
        DpsFixture.Device d = f.device("wire-2");
        HttpsDevice c = client(d);
        HttpResponse<String> wrong = put(c, "not-wire-2", "{}");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(wrong.body()).path("reason").asText()).isEqualTo("REGISTRATION_ID_MISMATCH");
        assertThat(JSON.readTree(wrong.body()).path("errorCode").asInt()).isBetween(401000, 401999);

        assertThat(put(c, d.id(), "{}").statusCode()).isEqualTo(202);
        assertThat(put(c, d.id(), "{}").statusCode()).isEqualTo(202);
        HttpResponse<String> limited = put(c, d.id(), "{}");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        assertThat(JSON.readTree(limited.body()).path("reason").asText()).isEqualTo("RATE_LIMITED");
    }
}
