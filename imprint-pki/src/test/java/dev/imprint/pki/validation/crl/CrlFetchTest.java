package dev.imprint.pki.validation.crl;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.imprint.pki.validation.ReasonCode;
import dev.imprint.pki.validation.RevocationStatus;
import dev.imprint.testkit.TestPki;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** CRLs fetched from the certificate's HTTP distribution point (a real loopback server), and failure to fetch fails closed. */
class CrlFetchTest {
    @Test
    void fetches_crl_from_distribution_point_once_and_fails_closed_when_unreachable() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        TestPki pki = TestPki.create();
        AtomicInteger hits = new AtomicInteger();
        server.createContext("/crl", ex -> {
            hits.incrementAndGet();
            byte[] body;
            try {
                body = pki.crl().getEncoded();
            } catch (Exception e) {
                throw new java.io.IOException(e);
            }
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            pki.crlUrl("http://127.0.0.1:" + server.getAddress().getPort() + "/crl");
            TestPki.Issued revoked = pki.revokedDevice("dev-r");
            TestPki.Issued fine = pki.device("dev-f");
            try (CrlCache cache = CrlCache.builder().fetchTimeout(Duration.ofSeconds(2)).build()) {
                assertThat(cache.status(revoked.cert(), pki.intermediate(), pki.now())).isInstanceOf(RevocationStatus.Revoked.class);
                assertThat(cache.status(fine.cert(), pki.intermediate(), pki.now())).isEqualTo(RevocationStatus.good());
                assertThat(hits.get()).isEqualTo(1); // cached per issuer
            }
        } finally {
            server.stop(0);
        }
        TestPki other = TestPki.create().crlUrl("http://127.0.0.1:9/crl"); // discard port: nothing listens
        try (CrlCache cache = CrlCache.builder().fetchTimeout(Duration.ofSeconds(1)).build()) {
            RevocationStatus s = cache.status(other.device("dev-x").cert(), other.intermediate(), other.now());
            assertThat(s).isInstanceOf(RevocationStatus.Unknown.class);
            assertThat(((RevocationStatus.Unknown) s).code()).isEqualTo(ReasonCode.CRL_UNAVAILABLE);
        }
    }
}
