package dev.imprint.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.pki.Pem;
import dev.imprint.store.JdbcStore;
import dev.imprint.testkit.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fleet provisioning's decisions on a real store (audit log) and real certificates: keys made by
 * the server refused by default and, when enabled, made for the device's own subject and audited;
 * AWS's answer shapes. (The SDK's view of the whole flow is AwsSdkIT.)
 */
class FleetProvisioningTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TestPki pki = TestPki.create();
    private static final TestPki.Issued factory = pki.device("th-1");

    /** Issues the CSR's key under the test CA for the device's own identity, as the CA's re-enrollment does. */
    private final ThingProvisioner ca = new ThingProvisioner() {
        @Override
        public List<X509Certificate> certificate(X509Certificate current, byte[] csrDer) {
            try {
                JcaPKCS10CertificationRequest csr = new JcaPKCS10CertificationRequest(csrDer);
                assertThat(csr.getSubject().getEncoded()).isEqualTo(current.getSubjectX500Principal().getEncoded());
                PublicKey key = csr.getPublicKey();
                return List.of(pki.leaf("th-1").key(new KeyPair(key, null)).issueLeaf().cert(),
                        pki.intermediate());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public Registered register(List<X509Certificate> path, String template, Map<String, String> parameters) {
            return new Registered("th-1", Map.of());
        }
    };

    @TempDir
    Path dir;

    @Test
    void server_made_keys_are_refused_by_default_in_aws_shape_and_audited() throws Exception {
        try (JdbcStore store = JdbcStore.sqlite(dir.resolve("imprint.db"))) {
            FleetProvisioning fleet = new FleetProvisioning(ca, false, Clock.systemUTC(), OwnershipTokens.newKey());
            FleetProvisioning.Reply r = fleet.handle(store.audit(), null, "th-1", List.of(factory.cert(), pki.intermediate()),
                    FleetProvisioning.CREATE_KEYS, "{}".getBytes(StandardCharsets.UTF_8));
            assertThat(r.topic()).isEqualTo("$aws/certificates/create/json/rejected");
            JsonNode body = JSON.readTree(r.payload());
            assertThat(body.path("statusCode").asInt()).isEqualTo(403);
            assertThat(body.path("errorCode").asText()).isEqualTo("SERVER_KEYS_REFUSED");
            assertThat(body.path("errorMessage").asText()).contains("create-from-csr");
            assertThat(store.audit().latest(List.of("device:th-1"), Long.MAX_VALUE, 5)).singleElement()
                    .satisfies(e -> assertThat(e.type()).isEqualTo("aws.provisioning.refused"));
        }
    }

    @Test
    void server_made_keys_when_enabled_name_the_device_and_are_audited() throws Exception {
        try (JdbcStore store = JdbcStore.sqlite(dir.resolve("imprint.db"))) {
            FleetProvisioning fleet = new FleetProvisioning(ca, true, Clock.systemUTC(), OwnershipTokens.newKey());
            FleetProvisioning.Reply r = fleet.handle(store.audit(), null, "th-1", List.of(factory.cert(), pki.intermediate()),
                    FleetProvisioning.CREATE_KEYS, new byte[0]);
            assertThat(r.topic()).isEqualTo("$aws/certificates/create/json/accepted");
            JsonNode body = JSON.readTree(r.payload());
            X509Certificate issued = Pem.readCertificates(body.path("certificatePem").asText()).get(0);
            assertThat(body.path("certificateId").asText()).isEqualTo(FleetProvisioning.certificateId(issued));
            assertThat(Pem.readPrivateKey(body.path("privateKey").asText(), null)).isNotNull();
            assertThat(body.path("certificateOwnershipToken").asText()).isNotBlank();
            assertThat(store.audit().latest(List.of("device:th-1"), Long.MAX_VALUE, 5)).singleElement()
                    .satisfies(e -> assertThat(e.type()).isEqualTo("aws.provisioning.server_keys"));
        }
    }

    @Test
    void a_malformed_request_is_rejected_with_its_reason_and_no_provisioning_service_is_unavailable() throws Exception {
        try (JdbcStore store = JdbcStore.sqlite(dir.resolve("imprint.db"))) {
            List<X509Certificate> path = List.of(factory.cert(), pki.intermediate());
            FleetProvisioning fleet = new FleetProvisioning(ca, false, Clock.systemUTC(), OwnershipTokens.newKey());
            assertThat(reason(fleet.handle(store.audit(), null, "th-1", path, FleetProvisioning.CREATE_FROM_CSR, "not json".getBytes())))
                    .isEqualTo("INVALID_JSON");
            assertThat(reason(fleet.handle(store.audit(), null, "th-1", path, FleetProvisioning.CREATE_FROM_CSR,
                    "{\"certificateSigningRequest\":\"x\"}".getBytes()))).isEqualTo("CSR_MALFORMED");
            assertThat(reason(fleet.handle(store.audit(), null, "th-1", path, "$aws/provisioning-templates/t/provision/json", "{}".getBytes())))
                    .isEqualTo("OWNERSHIP_TOKEN_MISSING");
            FleetProvisioning none = new FleetProvisioning(null, false, Clock.systemUTC(), OwnershipTokens.newKey());
            assertThat(reason(none.handle(store.audit(), null, "th-1", path, FleetProvisioning.CREATE_FROM_CSR, "{}".getBytes())))
                    .isEqualTo("PROVISIONING_UNAVAILABLE");
            assertThat(store.audit().latest(List.of("device:th-1"), Long.MAX_VALUE, 10)).hasSize(4);
        }
    }

    private static String reason(FleetProvisioning.Reply r) throws Exception {
        assertThat(r.topic()).endsWith("/rejected");
        return JSON.readTree(r.payload()).path("errorCode").asText();
    }
}
