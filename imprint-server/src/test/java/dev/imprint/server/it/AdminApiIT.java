package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.pki.KeyAlgorithm;
import dev.imprint.pki.Pem;
import dev.imprint.server.up.Node;
import dev.imprint.server.up.ServiceCredentials;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Map;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API's access control and input handling, endpoints.json, and reuse of the data folder. */
class AdminApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path data;
    @TempDir
    static Path work;
    static Map<String, String> env;
    static Node server;
    static HttpClient admin;

    @BeforeAll
    static void up() throws Exception {
        env = Fixture.env();
        server = Fixture.start(data, env);
        ServiceCredentials.Files f = ServiceCredentials.Files.in(data);
        admin = Fixture.https(f.adminTrust(), f.adminCert(), f.adminKey());
        var r = Fixture.cli("station", "create", "line9", "--ids", "line9-.*", "--out", work.resolve("st").toString(), "--data", data.toString());
        assertThat(r.code()).as(r.all()).isZero();
    }

    @AfterAll
    static void down() {
        if (server != null) {
            server.close();
        }
    }

    record Reply(int status, JsonNode body) {}

    static Reply call(HttpClient client, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.endpoints().admin() + path));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.headers().firstValue("content-length")).as("Content-Length on %s %s", method, path).isPresent();
        return new Reply(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
    }

    @Test
    void refuses_a_client_without_certificate() throws Exception {
        Reply r = call(Fixture.https(Path.of(server.endpoints().trust()), null, null), "GET", "/certificates", null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body().path("code").asText()).isEqualTo("AUTH_REQUIRED");
    }

    @Test
    void refuses_a_station_credential() throws Exception {
        Path st = work.resolve("st");
        Reply r = call(Fixture.https(Path.of(server.endpoints().trust()), st.resolve("station.crt"), st.resolve("station.key")), "GET", "/stations", null);
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body().path("code").asText()).isEqualTo("NOT_AUTHORIZED");
    }

    @Test
    void refuses_a_certificate_from_a_foreign_ca() throws Exception {
        KeyPair kp = KeyAlgorithm.EC_P256.generate();
        X500Principal name = new X500Principal("CN=urn:imprint:admin:mallory");
        X509Certificate self = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                name, BigInteger.TEN, Date.from(Instant.now().minus(1, ChronoUnit.HOURS)), Date.from(Instant.now().plus(1, ChronoUnit.DAYS)), name, kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
        Files.writeString(work.resolve("foreign.crt"), Pem.write(self));
        Files.writeString(work.resolve("foreign.key"), dev.imprint.pki.Pem.write(kp.getPrivate()));
        Reply r = call(Fixture.https(Path.of(server.endpoints().trust()), work.resolve("foreign.crt"), work.resolve("foreign.key")), "GET", "/stations", null);
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body().path("code").asText()).isEqualTo("UNKNOWN_ISSUER");
    }

    @Test
    void refuses_a_revoked_admin_credential() throws Exception {
        var second = server.authority().issueAdminCredential("second");
        Files.writeString(work.resolve("second.crt"), Pem.write(second.fullChain()));
        Files.writeString(work.resolve("second.key"), dev.imprint.pki.Pem.write(second.key()));
        HttpClient client = Fixture.https(Path.of(server.endpoints().trust()), work.resolve("second.crt"), work.resolve("second.key"));
        assertThat(call(client, "GET", "/stations", null).status()).isEqualTo(200);
        var revoked = Fixture.cli("cert", "revoke", "--serial", second.certificate().getSerialNumber().toString(16), "--data", data.toString());
        assertThat(revoked.code()).as(revoked.all()).isZero();
        HttpClient fresh = Fixture.https(Path.of(server.endpoints().trust()), work.resolve("second.crt"), work.resolve("second.key"));
        Reply r = call(fresh, "GET", "/stations", null);
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body().path("code").asText()).isEqualTo("REVOKED");
    }

    @Test
    void a_cluster_node_credential_is_no_admin_and_an_admin_credential_is_no_node() throws Exception {
        var node = server.authority().issueNodeCredential("n1");
        var other = server.authority().issueAdminCredential("third");
        X509Certificate serviceCa = server.authority().hierarchy().issuer("service");
        var admins = new dev.imprint.server.http.AdminAuth(serviceCa, server.store().certificates());
        var nodes = dev.imprint.server.http.AdminAuth.nodes(serviceCa, server.store().certificates());
        assertThat(nodes.check(node.fullChain())).isInstanceOfSatisfying(dev.imprint.pki.validation.Verdict.Accepted.class,
                a -> assertThat(a.identity()).isEqualTo("node:n1"));
        assertThat(nodes.check(other.fullChain())).isInstanceOfSatisfying(dev.imprint.pki.validation.Verdict.Refused.class,
                r -> assertThat(r.reason().name()).isEqualTo("NOT_AUTHORIZED"));
        assertThat(admins.check(node.fullChain())).isInstanceOfSatisfying(dev.imprint.pki.validation.Verdict.Refused.class,
                r -> assertThat(r.reason().name()).isEqualTo("NOT_AUTHORIZED"));
        // and over HTTPS: the node credential opens nothing of the admin API
        Files.writeString(work.resolve("node.crt"), Pem.write(node.fullChain()));
        Files.writeString(work.resolve("node.key"), dev.imprint.pki.Pem.write(node.key()));
        Reply r = call(Fixture.https(Path.of(server.endpoints().trust()), work.resolve("node.crt"), work.resolve("node.key")), "GET", "/stations", null);
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body().path("code").asText()).isEqualTo("NOT_AUTHORIZED");
    }

    @Test
    void admin_credential_lists_stations_and_certificates() throws Exception {
        Reply stations = call(admin, "GET", "/stations", null);
        assertThat(stations.status()).isEqualTo(200);
        assertThat(stations.body().findValuesAsText("name")).contains("line9");
        Reply certs = call(admin, "GET", "/certificates?limit=5", null);
        assertThat(certs.status()).isEqualTo(200);
        assertThat(certs.body().isArray()).isTrue();
    }

    @Test
    void bad_input_gets_400_with_a_code_never_a_crash() throws Exception {
        assertThat(call(admin, "POST", "/stations", "{not json").body().path("code").asText()).isEqualTo("BAD_REQUEST");
        assertThat(call(admin, "POST", "/stations", "{\"idPattern\":\"x\"}").status()).isEqualTo(400);
        assertThat(call(admin, "POST", "/stations", "[1,2]").status()).isEqualTo(400);
        assertThat(call(admin, "GET", "/certificates?limit=abc", null).status()).isEqualTo(400);
        assertThat(call(admin, "POST", "/certificates/xyz!/revoke", "{}").body().path("code").asText()).isEqualTo("BAD_REQUEST");
        assertThat(call(admin, "POST", "/certificates/0a1b/revoke", "{\"reason\":\"bored\"}").body().path("code").asText()).isEqualTo("BAD_REQUEST");
        Reply unknown = call(admin, "POST", "/certificates/0a1b2c/revoke", "{}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().path("code").asText()).isEqualTo("NOT_FOUND");
        // a path with no row in the permission table is refused before any handler (fails closed)
        Reply unmapped = call(admin, "GET", "/nowhere", null);
        assertThat(unmapped.status()).isEqualTo(403);
        assertThat(unmapped.body().path("code").asText()).isEqualTo("ROUTE_NOT_MAPPED");
        assertThat(call(admin, "GET", "/health", null).status()).isEqualTo(200);
    }

    @Test
    void station_revoke_and_audit_verify_through_the_cli() throws Exception {
        var created = Fixture.cli("station", "create", "temp", "--ids", "t-.*", "--out", work.resolve("temp").toString(), "--data", data.toString());
        assertThat(created.code()).as(created.all()).isZero();
        var dup = Fixture.cli("station", "create", "temp", "--ids", "t-.*", "--out", work.resolve("temp2").toString(), "--data", data.toString());
        assertThat(dup.code()).isEqualTo(1);
        assertThat(dup.err()).contains("STATION_EXISTS");
        assertThat(Fixture.cli("station", "revoke", "temp", "--data", data.toString()).code()).isZero();
        assertThat(Fixture.cli("station", "list", "--data", data.toString()).out()).containsPattern("temp\\s+revoked");
        var audit = Fixture.cli("audit", "verify", "--data", data.toString());
        assertThat(audit.code()).as(audit.all()).isZero();
        assertThat(audit.out()).contains("intact");
    }

    @Test
    void endpoints_json_names_every_endpoint() throws Exception {
        JsonNode e = JSON.readTree(data.resolve("endpoints.json").toFile());
        assertThat(e.path("pki").asText()).isEqualTo("http://127.0.0.1:" + env.get("IMPRINT_PKI_PORT"));
        assertThat(e.path("est").asText()).isEqualTo("https://127.0.0.1:" + env.get("IMPRINT_HTTPS_PORT") + "/.well-known/est");
        assertThat(e.path("admin").asText()).isEqualTo("https://127.0.0.1:" + env.get("IMPRINT_HTTPS_PORT") + "/api/v1");
        assertThat(e.path("console").asText()).isEqualTo("https://127.0.0.1:" + env.get("IMPRINT_HTTPS_PORT") + "/");
        assertThat(Path.of(e.path("trust").asText())).isAbsolute().exists();
    }

    @Test
    void metrics_and_health_are_served() throws Exception {
        HttpClient anon = Fixture.https(Path.of(server.endpoints().trust()), null, null);
        String base = server.endpoints().console();
        HttpResponse<String> m = anon.send(HttpRequest.newBuilder(URI.create(base + "metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.body()).contains("jvm_memory_used_bytes");
        HttpResponse<String> h = anon.send(HttpRequest.newBuilder(URI.create(base + "health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(h.body()).contains("UP");
        HttpResponse<String> pki = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.endpoints().pki() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(pki.statusCode()).isEqualTo(200);
    }

    @Test
    void second_up_on_the_same_folder_reuses_everything() throws Exception {
        ServiceCredentials.Files f = ServiceCredentials.Files.in(data);
        String root = Files.readString(Path.of(server.endpoints().trust()));
        String adminCert = Files.readString(f.adminCert());
        String serverCert = Files.readString(f.serverCert());
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f.adminKey()))).isEqualTo("rw-------");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f.serverKey()))).isEqualTo("rw-------");
        server.close();
        server = Fixture.start(data, env);
        assertThat(Files.readString(Path.of(server.endpoints().trust()))).isEqualTo(root);
        assertThat(Files.readString(f.adminCert())).isEqualTo(adminCert);
        assertThat(Files.readString(f.serverCert())).isEqualTo(serverCert);
        assertThat(call(admin, "GET", "/stations", null).status()).isEqualTo(200);
    }

    /**
     * A real Prometheus scrapes /metrics over HTTPS (trusting only Imprint's root) and answers
     * queries on the names docs/metrics.md documents; every query of docs/grafana-dashboard.json
     * is valid PromQL on it.
     */
    @Test
    @org.junit.jupiter.api.Timeout(90)
    void prometheus_scrapes_metrics_and_answers_the_dashboards_queries() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(PrometheusProcess.BINARY),
                "needs Debian's prometheus (scripts/test installs it)");
        for (int i = 0; i < 3; i++) {
            server.authority().issue(dev.imprint.ca.IssuanceRequest.byAdmin("admin:test", "manufacturing",
                    dev.imprint.device.Csrs.build(dev.imprint.device.DeviceKey.generate(), "prom-dev-" + i)));
        }
        URI metrics = URI.create(server.endpoints().admin().replace("/api/v1", "/metrics"));
        // what the endpoint says now; no other test of this class runs meanwhile, so it stays put
        double issued = issuedManufacturing(admin.send(HttpRequest.newBuilder(metrics).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(issued).isGreaterThanOrEqualTo(3);
        try (PrometheusProcess prometheus = PrometheusProcess.scraping(metrics, ServiceCredentials.Files.in(data).adminTrust(),
                Files.createDirectories(work.resolve("prometheus")))) {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(45)).pollInterval(java.time.Duration.ofMillis(500))
                    .ignoreExceptions().until(() -> prometheus.value("imprint_ca_issued_total{ca=\"manufacturing\"}").orElse(-1.0) == issued);
            assertThat(prometheus.value("up{job=\"imprint\"}")).contains(1.0);
            // the CRLs were published at start: their age is seconds, not NaN
            assertThat(prometheus.value("imprint_crl_age_seconds{ca=\"manufacturing\",kind=\"full\"}"))
                    .hasValueSatisfying(v -> assertThat(v).isBetween(0.0, 3600.0));
            assertThat(prometheus.value("sum(imprint_store_operations_seconds_count{kind=\"write\"})"))
                    .hasValueSatisfying(v -> assertThat(v).isPositive());
            assertThat(prometheus.value("imprint_hub_sessions{hub=\"hub-1\"}")).contains(0.0);
            int queries = 0;
            for (JsonNode panel : JSON.readTree(Path.of("..", "docs", "grafana-dashboard.json").toFile()).path("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    // Grafana's variables filled in as Grafana would
                    prometheus.value(target.path("expr").asText().replace("$job", ".*").replace("$__rate_interval", "1m"));
                    queries++;
                }
            }
            assertThat(queries).isGreaterThan(20);
        }
    }

    private static double issuedManufacturing(String exposition) {
        return exposition.lines().filter(l -> l.startsWith("imprint_ca_issued_total{") && l.contains("ca=\"manufacturing\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
    }
}
