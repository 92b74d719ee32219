package dev.imprint.ca;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.imprint.ca.est.EstResponse;
import dev.imprint.testkit.TempDirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * EST request bodies as the HTTPS routes hand them to the CA (the routes read no content type:
 * the body decides): base64, PEM or raw DER, any size the route admits. The first byte picks
 * simpleenroll (as a station) or simplereenroll (as a device); the rest is the body. Every
 * answer is a certs-only 200 or an error with a JSON reason code, never a 500.
 */
class EstBodyFuzzTest {
    static final Path DIR = TempDirs.create("est-fuzz");
    static final CaFixture CA = new CaFixture(DIR);
    static final Credential STATION = CA.ca.stations().create("line-1", "dev-[0-9]+", 0, 0, "admin:fuzz");
    static final List<X509Certificate> DEVICE;

    static {
        IssuedCertificate d = CA.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-1000")));
        DEVICE = List.copyOf(new java.util.ArrayList<>(List.of(d.certificate())) {{ addAll(d.chain()); }});
    }

    static final Set<Integer> STATUSES = Set.of(200, 400, 401, 403, 404, 409, 429, 503);

    /** Real bodies, made now: base64 (MIME lines), PEM, raw DER, for a station and for a re-enrolling device. */
    static Stream<byte[]> seeds() {
        byte[] der = CaFixture.csr("dev-1");
        String pem = "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder().encodeToString(der)
                + "\n-----END CERTIFICATE REQUEST-----\n";
        return Stream.of(
                tagged(0, Base64.getMimeEncoder().encode(der)),
                tagged(0, pem.getBytes(StandardCharsets.US_ASCII)),
                tagged(0, CaFixture.csr("dev-2")),
                tagged(1, Base64.getEncoder().encode(CaFixture.csr("dev-1000"))),
                tagged(1, CaFixture.csr("dev-1001")));
    }

    @MethodSource("seeds")
    @FuzzTest
    void any_est_body_is_answered_with_a_certificate_or_a_reason_code(byte[] data) {
        if (data.length == 0) {
            return;
        }
        byte[] body = java.util.Arrays.copyOfRange(data, 1, data.length);
        EstResponse r = (data[0] & 1) == 0
                ? CA.ca.est().simpleEnroll(body, STATION.fullChain())
                : CA.ca.est().simpleReenroll(body, DEVICE);
        assertThat(r.status()).as(new String(r.body(), StandardCharsets.UTF_8)).isIn(STATUSES);
        if (r.status() == 200) {
            assertThat(r.contentType()).startsWith("application/pkcs7-mime");
        } else {
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).containsPattern("\"code\":\"[A-Z_]+\"");
        }
    }

    static byte[] tagged(int tag, byte[] body) {
        return CsrIssuanceFuzzTest.concat(new byte[] {(byte) tag}, body);
    }

    @AfterAll
    static void close() throws IOException {
        CA.close();
        TempDirs.delete(DIR);
    }
}
