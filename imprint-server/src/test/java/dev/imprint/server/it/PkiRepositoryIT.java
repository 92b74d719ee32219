package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.pki.Pem;
import dev.imprint.server.up.Node;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Base64;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plain-HTTP PKI repository: CA certificates, full and delta CRLs, OCSP over GET and POST. */
class PkiRepositoryIT {
    @TempDir
    static Path data;
    static Node server;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void up() throws Exception {
        server = Fixture.start(data, Fixture.env());
    }

    @AfterAll
    static void down() {
        if (server != null) {
            server.close();
        }
    }

    static HttpResponse<byte[]> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.endpoints().pki() + path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void serves_ca_certificates_as_der() throws Exception {
        for (String ca : new String[] {"root", "manufacturing", "operational", "service"}) {
            HttpResponse<byte[]> r = get("/ca/" + ca + ".crt");
            assertThat(r.statusCode()).as(ca).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).hasValue("application/pkix-cert");
            X509Certificate c = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(r.body()));
            assertThat(c.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        }
        HttpResponse<byte[]> missing = get("/ca/nope.crt");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(new String(missing.body(), StandardCharsets.UTF_8)).contains("\"code\":\"NOT_FOUND\"");
    }

    @Test
    void serves_full_and_delta_crls() throws Exception {
        HttpResponse<byte[]> full = get("/crl/operational.crl");
        assertThat(full.statusCode()).isEqualTo(200);
        X509CRL crl = Pem.readCrl(full.body());
        assertThat(crl.getIssuerX500Principal()).isEqualTo(server.authority().hierarchy().issuer("operational").getSubjectX500Principal());
        HttpResponse<byte[]> delta = get("/crl/operational-delta.crl");
        assertThat(delta.statusCode()).isEqualTo(200);
        assertThat(Pem.readCrl(delta.body()).getExtensionValue(Extension.deltaCRLIndicator.getId())).isNotNull();
        assertThat(get("/crl/nope.crl").statusCode()).isEqualTo(404);
        assertThat(get("/crl/whatever").statusCode()).isEqualTo(404);
    }

    @Test
    void ocsp_answers_get_and_post_and_malformed_requests() throws Exception {
        X509Certificate issuer = server.authority().hierarchy().issuer("manufacturing");
        CertificateID id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                new JcaX509CertificateHolder(issuer), BigInteger.valueOf(123456789));
        byte[] req = new OCSPReqBuilder().addRequest(id).build().getEncoded();

        HttpResponse<byte[]> post = HTTP.send(HttpRequest.newBuilder(URI.create(server.endpoints().pki() + "/ocsp"))
                .header("Content-Type", "application/ocsp-request").POST(HttpRequest.BodyPublishers.ofByteArray(req)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(post.statusCode()).isEqualTo(200);
        assertThat(post.headers().firstValue("content-type")).hasValue("application/ocsp-response");
        OCSPResp resp = new OCSPResp(post.body());
        assertThat(resp.getStatus()).isEqualTo(OCSPResp.SUCCESSFUL);
        assertThat(((BasicOCSPResp) resp.getResponseObject()).getResponses()[0].getCertStatus()).isInstanceOf(UnknownStatus.class);

        String b64 = URLEncoder.encode(Base64.getEncoder().encodeToString(req), StandardCharsets.US_ASCII);
        HttpResponse<byte[]> get = get("/ocsp/" + b64);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(new OCSPResp(get.body()).getStatus()).isEqualTo(OCSPResp.SUCCESSFUL);

        HttpResponse<byte[]> junk = HTTP.send(HttpRequest.newBuilder(URI.create(server.endpoints().pki() + "/ocsp"))
                .header("Content-Type", "application/ocsp-request").POST(HttpRequest.BodyPublishers.ofString("junk")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(junk.statusCode()).isEqualTo(200);
        assertThat(new OCSPResp(junk.body()).getStatus()).isEqualTo(OCSPResp.MALFORMED_REQUEST);
        assertThat(new OCSPResp(get("/ocsp/!!not-base64!!").body()).getStatus()).isEqualTo(OCSPResp.MALFORMED_REQUEST);
        // a URL that is not even a valid URL: a 400 with a code, never a crash
        Fixture.Run raw = Fixture.ok(data, "curl", "-sS", "-o", "bad-escape.json", "-w", "%{http_code}", server.endpoints().pki() + "/ocsp/%%%");
        assertThat(raw.out()).isEqualTo("400");
        assertThat(java.nio.file.Files.readString(data.resolve("bad-escape.json"))).contains("\"code\":\"BAD_REQUEST\"");
    }
}
