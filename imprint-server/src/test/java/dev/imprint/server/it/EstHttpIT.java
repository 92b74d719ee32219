package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.pki.KeyAlgorithm;
import dev.imprint.pki.Pem;
import dev.imprint.server.up.Node;
import dev.imprint.server.up.ServiceCredentials;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The EST transport: content types and lengths RFC 7030 clients need, and refusals as 4xx with reason codes. */
class EstHttpIT {
    @TempDir
    static Path data;
    @TempDir
    static Path work;
    static Node server;
    static HttpClient station;
    static HttpClient anonymous;

    @BeforeAll
    static void up() throws Exception {
        server = Fixture.start(data, Fixture.env());
        var r = Fixture.cli("station", "create", "line3", "--ids", "line3-[0-9]+", "--out", work.resolve("st").toString(), "--data", data.toString());
        assertThat(r.code()).as(r.all()).isZero();
        Path trust = Path.of(server.endpoints().trust());
        station = Fixture.https(trust, work.resolve("st/station.crt"), work.resolve("st/station.key"));
        anonymous = Fixture.https(trust, null, null);
    }

    @AfterAll
    static void down() {
        if (server != null) {
            server.close();
        }
    }

    static HttpResponse<byte[]> get(HttpClient c, String path) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create(server.endpoints().est() + path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<String> enroll(HttpClient c, String path, String body) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create(server.endpoints().est() + path))
                .header("Content-Type", "application/pkcs10").header("Content-Transfer-Encoding", "base64")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String csr(String id) throws Exception {
        KeyPair kp = KeyAlgorithm.EC_P256.generate();
        return Base64.getEncoder().encodeToString(new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=" + id), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded());
    }

    @Test
    void cacerts_and_csrattrs_carry_rfc7030_types_and_lengths() throws Exception {
        for (String path : List.of("/cacerts", "/line3/cacerts")) {
            HttpResponse<byte[]> r = get(anonymous, path);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/pkcs7-mime"));
            assertThat(r.headers().firstValue("content-transfer-encoding")).hasValue("base64");
            assertThat(r.headers().firstValueAsLong("content-length")).hasValue(r.body().length);
            byte[] p7 = Base64.getMimeDecoder().decode(r.body());
            assertThat(CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(p7)))
                    .map(c -> ((X509Certificate) c).getSubjectX500Principal().getName()).anyMatch(n -> n.contains("Root"));
        }
        HttpResponse<byte[]> attrs = get(anonymous, "/csrattrs");
        assertThat(attrs.statusCode()).isEqualTo(200);
        assertThat(attrs.headers().firstValue("content-type")).hasValue("application/csrattrs");
    }

    @Test
    void enrollment_without_client_certificate_is_401_with_code() throws Exception {
        HttpResponse<String> r = enroll(anonymous, "/simpleenroll", csr("line3-1"));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("\"code\":\"AUTH_REQUIRED\"");
        HttpResponse<String> metrics = anonymous.send(HttpRequest.newBuilder(URI.create(server.endpoints().console() + "metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).containsPattern("imprint_est_refusals_total\\{code=\"AUTH_REQUIRED\",op=\"simpleenroll\"\\} [1-9]");
    }

    @Test
    void admin_credential_is_not_a_station() throws Exception {
        ServiceCredentials.Files f = ServiceCredentials.Files.in(data);
        HttpResponse<String> r = enroll(Fixture.https(f.adminTrust(), f.adminCert(), f.adminKey()), "/simpleenroll", csr("line3-2"));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("\"code\":");
    }

    @Test
    void malformed_csr_is_400_and_nothing_is_issued() throws Exception {
        long before = server.store().certificates().count();
        HttpResponse<String> r = enroll(station, "/simpleenroll", "not base64 at all!");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("CSR_MALFORMED");
        assertThat(server.store().certificates().count()).isEqualTo(before);
    }

    @Test
    void station_enrolls_then_revoked_station_gets_nothing() throws Exception {
        var created = Fixture.cli("station", "create", "gone", "--ids", "gone-[0-9]+", "--out", work.resolve("gone").toString(), "--data", data.toString());
        assertThat(created.code()).as(created.all()).isZero();
        HttpClient gone = Fixture.https(Path.of(server.endpoints().trust()), work.resolve("gone/station.crt"), work.resolve("gone/station.key"));
        assertThat(enroll(gone, "/simpleenroll", csr("gone-1")).statusCode()).isEqualTo(200);
        assertThat(Fixture.cli("station", "revoke", "gone", "--data", data.toString()).code()).isZero();
        HttpResponse<String> r = enroll(gone, "/simpleenroll", csr("gone-2"));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).containsAnyOf("STATION_REVOKED", "REVOKED");
    }

    @Test
    void imprint_verify_accepts_an_enrolled_device_certificate() throws Exception {
        HttpResponse<String> r = enroll(station, "/simpleenroll", csr("line3-77"));
        assertThat(r.statusCode()).isEqualTo(200);
        byte[] p7 = Base64.getMimeDecoder().decode(r.body());
        X509Certificate device = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(p7)).stream()
                .map(X509Certificate.class::cast).filter(c -> c.getBasicConstraints() < 0).findFirst().orElseThrow();
        Files.writeString(work.resolve("device-chain.pem"), Pem.write(device, server.authority().hierarchy().issuer("manufacturing")));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Fixture.Run v = Fixture.exec(work, java, "-jar", Fixture.JAR.toString(), "verify", "--trust", server.endpoints().trust(),
                "--chain", work.resolve("device-chain.pem").toString(), "--eku", "clientAuth");
        assertThat(v.code()).as(v.all()).isZero();
        assertThat(v.out()).contains("ACCEPTED").contains("line3-77");
    }
}
