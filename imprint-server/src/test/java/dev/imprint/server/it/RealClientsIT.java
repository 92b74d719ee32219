package dev.imprint.server.it;

import static dev.imprint.server.it.Fixture.exec;
import static dev.imprint.server.it.Fixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.server.up.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 2's real-clients scenario: {@code openssl req} makes a CSR, {@code curl} enrolls it over
 * EST with a station certificate made by {@code imprint station create}, {@code openssl verify}
 * accepts it; after {@code imprint cert revoke}, the CRL fetched from the certificate's
 * distribution point makes {@code openssl verify -crl_check} refuse it and {@code openssl ocsp}
 * says revoked.
 */
class RealClientsIT {
    @TempDir
    static Path data;
    @TempDir
    static Path work;
    static Node server;
    static Map<String, String> env;

    @BeforeAll
    static void up() throws Exception {
        env = Fixture.env();
        server = Fixture.start(data, env);
    }

    @AfterAll
    static void down() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void curl_enrolls_an_openssl_csr_and_revocation_reaches_crl_and_ocsp() throws Exception {
        var e = server.endpoints();
        Fixture.Run created = Fixture.cli("station", "create", "line1", "--ids", "line1-[0-9]{6}", "--out",
                work.resolve("station").toString(), "--data", data.toString());
        assertThat(created.code()).as(created.all()).isZero();
        Path st = work.resolve("station");
        assertThat(st.resolve("station.crt")).exists();
        assertThat(st.resolve("chain.pem")).exists();
        assertThat(st.resolve("station.p12")).exists();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(st.resolve("station.key")))).isEqualTo("rw-------");

        ok(work, "openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "dev.key", "-subj", "/CN=line1-000001", "-outform", "DER", "-out", "dev.csr");
        ok(work, "sh", "-c", "base64 dev.csr > dev.csr.b64");
        Fixture.Run enroll = ok(work, "curl", "-sS", "--fail-with-body", "--cacert", e.trust(),
                "--cert", st.resolve("station.crt").toString(), "--key", st.resolve("station.key").toString(),
                "-H", "Content-Type: application/pkcs10", "-H", "Content-Transfer-Encoding: base64",
                "--data-binary", "@dev.csr.b64", "-D", "headers.txt", "-o", "dev.p7.b64", e.est() + "/simpleenroll");
        assertThat(Fixture.read(work.resolve("headers.txt"))).containsIgnoringCase("content-length:")
                .containsIgnoringCase("application/pkcs7-mime");
        ok(work, "sh", "-c", "tr -d '\\r' < dev.p7.b64 | base64 -d > dev.p7");
        ok(work, "openssl", "pkcs7", "-inform", "DER", "-in", "dev.p7", "-print_certs", "-out", "dev.crt");
        ok(work, "curl", "-sS", "--fail", "-o", "manufacturing.der", e.pki() + "/ca/manufacturing.crt");
        ok(work, "openssl", "x509", "-inform", "DER", "-in", "manufacturing.der", "-out", "manufacturing.pem");

        Fixture.Run verified = ok(work, "openssl", "verify", "-CAfile", e.trust(), "-untrusted", "manufacturing.pem", "dev.crt");
        assertThat(verified.out()).contains("dev.crt: OK");

        String text = ok(work, "openssl", "x509", "-in", "dev.crt", "-noout", "-text").out();
        Matcher cdp = Pattern.compile("URI:(http://\\S+\\.crl)").matcher(text);
        assertThat(cdp.find()).as("CRL distribution point in\n%s", text).isTrue();
        String serial = ok(work, "openssl", "x509", "-in", "dev.crt", "-noout", "-serial").out().trim().replace("serial=", "");

        // before revocation: the CRL accepts it and OCSP says good
        fetchCrl(cdp.group(1));
        ok(work, "openssl", "verify", "-crl_check", "-CAfile", e.trust(), "-untrusted", "manufacturing.pem", "-CRLfile", "crl.pem", "dev.crt");
        assertThat(ocsp(e.pki())).contains("dev.crt: good");

        Fixture.Run revoked = Fixture.cli("cert", "revoke", "--serial", serial, "--reason", "keyCompromise", "--data", data.toString());
        assertThat(revoked.code()).as(revoked.all()).isZero();

        Fixture.Run refused = null;
        for (int i = 0; i < 30; i++) { // a new CRL within 1 s of the revocation
            fetchCrl(cdp.group(1));
            refused = exec(work, "openssl", "verify", "-crl_check", "-CAfile", e.trust(), "-untrusted", "manufacturing.pem", "-CRLfile", "crl.pem", "dev.crt");
            if (refused.code() != 0) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(refused.code()).isNotZero();
        assertThat(refused.all()).contains("certificate revoked");
        assertThat(ocsp(e.pki())).contains("dev.crt: revoked").contains("Reason: keyCompromise");

        Fixture.Run listed = Fixture.cli("cert", "list", "--device", "line1-000001", "--data", data.toString());
        assertThat(listed.out()).contains("revoked");
    }

    private static void fetchCrl(String url) throws Exception {
        ok(work, "curl", "-sS", "--fail", "-o", "crl.der", url);
        ok(work, "openssl", "crl", "-inform", "DER", "-in", "crl.der", "-out", "crl.pem");
    }

    private static String ocsp(String pki) throws Exception {
        Fixture.Run r = ok(work, "openssl", "ocsp", "-issuer", "manufacturing.pem", "-cert", "dev.crt", "-url", pki + "/ocsp",
                "-CAfile", server.endpoints().trust(), "-verify_other", "manufacturing.pem", "-resp_text");
        assertThat(r.all()).contains("Response verify OK");
        return r.out();
    }
}
