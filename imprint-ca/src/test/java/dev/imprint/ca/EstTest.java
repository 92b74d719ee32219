package dev.imprint.ca;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.ca.CaException.Reason;
import dev.imprint.ca.est.EstResponse;
import dev.imprint.ca.est.PeerAuthenticator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.Assertions;
import org.bouncycastle.asn1.est.CsrAttrs;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSSignedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RFC 7030 handling without a transport: what the server puts on the wire. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EstTest {
    @TempDir
    static Path tmp;
    CaFixture f;
    Credential station;

    /** One CA for the class; the test that revokes a station makes its own. */
    @BeforeAll
    void open() {
        f = new CaFixture(tmp);
        station = f.ca.stations().create("line-1", "dev-[0-9]+", 0, 0, "admin:test");
    }

    @AfterAll
    void close() {
        f.close();
    }

    @Test
    void cacerts_is_base64_certs_only_cms_with_the_hierarchy() throws Exception {
        EstResponse r = f.ca.est().cacerts();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("application/pkcs7-mime; smime-type=certs-only");
        assertThat(r.headers()).containsEntry("Content-Transfer-Encoding", "base64");
        assertThat(certs(r)).hasSize(4);
        EstResponse attrs = f.ca.est().csrattrs();
        assertThat(attrs.contentType()).isEqualTo("application/csrattrs");
        assertThat(CsrAttrs.getInstance(Base64.getMimeDecoder().decode(attrs.body())).getAttrOrOIDs()).isNotEmpty();
    }

    @Test
    void station_enrolls_and_device_reenrolls_keeping_its_identity() throws Exception {
        EstResponse r = f.ca.est().simpleEnroll(b64(CaFixture.csr("dev-1")), station.fullChain());
        assertThat(r.status()).as(new String(r.body())).isEqualTo(200);
        List<X509CertificateHolder> issued = certs(r);
        assertThat(issued).hasSize(1);
        assertThat(issued.get(0).getSubject().toString()).isEqualTo("CN=dev-1");
        X509Certificate device = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(issued.get(0));

        List<X509Certificate> deviceChain = List.of(device, f.ca.hierarchy().issuer("manufacturing"));
        EstResponse renewed = f.ca.est().simpleReenroll(b64(CaFixture.csr("dev-1")), deviceChain);
        assertThat(renewed.status()).as(new String(renewed.body())).isEqualTo(200);
        assertThat(certs(renewed).get(0).getIssuer().toString()).contains("Operational");

        EstResponse other = f.ca.est().simpleReenroll(b64(CaFixture.csr("dev-2")), deviceChain);
        assertThat(other.status()).isEqualTo(403);
        assertThat(new String(other.body(), StandardCharsets.UTF_8)).contains("IDENTITY_MISMATCH");
    }

    @Test
    void enroll_without_a_station_certificate_is_refused() {
        long before = f.store.certificates().count();
        EstResponse none = f.ca.est().simpleEnroll(b64(CaFixture.csr("dev-11")), List.of());
        assertThat(none.status()).isEqualTo(401);
        assertThat(new String(none.body())).contains("AUTH_REQUIRED");
        // a device certificate is not a station certificate
        IssuedCertificate dev = f.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-10")));
        before = f.store.certificates().count();
        EstResponse wrong = f.ca.est().simpleEnroll(b64(CaFixture.csr("dev-12")),
                List.of(dev.certificate(), f.ca.hierarchy().issuer("manufacturing")));
        assertThat(wrong.status()).isEqualTo(403);
        assertThat(new String(wrong.body())).contains("AUTH_REFUSED");
        assertThat(f.store.certificates().count()).isEqualTo(before);
    }

    @Test
    void revoked_station_certificate_is_refused_at_once() {
        Credential gone = f.ca.stations().create("gone", "dev-[0-9]+", 0, 0, "admin:test");
        f.ca.stations().revoke("gone", "admin:test");
        EstResponse r = f.ca.est().simpleEnroll(b64(CaFixture.csr("dev-30")), gone.fullChain());
        assertThat(r.status()).isEqualTo(403);
        assertThat(new String(r.body())).contains("AUTH_REFUSED").contains("REVOKED");
    }

    @Test
    void an_accepted_station_certificate_is_trusted_for_a_second_and_its_revocation_counts_after_it() {
        AtomicLong nanos = new AtomicLong(1_000);
        PeerAuthenticator peers = new PeerAuthenticator(f.ca.hierarchy(), f.store.certificates(), nanos::get);
        Credential cached = f.ca.stations().create("cached", "dev-[0-9]+", 0, 0, "admin:test");
        assertThat(peers.station(cached.fullChain())).isEqualTo("cached");
        f.ca.stations().revoke("cached", "admin:test");
        nanos.addAndGet(999_999_999);
        assertThat(peers.station(cached.fullChain())).as("validated less than a second ago").isEqualTo("cached");
        nanos.incrementAndGet();
        for (int i = 0; i < 2; i++) {
            CaException e = Assertions.catchThrowableOfType(() -> peers.station(cached.fullChain()), CaException.class);
            assertThat(e.reason()).as("a refusal is not kept either: refused each time").isEqualTo(Reason.AUTH_REFUSED);
            assertThat(e.getMessage()).contains("REVOKED");
        }
        CaException none = Assertions.catchThrowableOfType(() -> peers.station(List.of()), CaException.class);
        assertThat(none.reason()).isEqualTo(Reason.AUTH_REQUIRED);
    }

    @Test
    void reenroll_with_a_revoked_device_certificate_is_refused() {
        IssuedCertificate dev = f.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-20")));
        f.ca.revocation().revoke(dev.serialHex(), 1, "admin:test");
        EstResponse r = f.ca.est().simpleReenroll(b64(CaFixture.csr("dev-20")),
                List.of(dev.certificate(), f.ca.hierarchy().issuer("manufacturing")));
        assertThat(r.status()).isEqualTo(403);
        assertThat(new String(r.body())).contains("REVOKED");
    }

    @Test
    void malformed_body_is_a_clear_error() {
        EstResponse r = f.ca.est().simpleEnroll("%%%not base64".getBytes(), station.fullChain());
        assertThat(r.status()).isEqualTo(400);
        assertThat(new String(r.body())).contains("CSR_MALFORMED");
    }

    @Test
    void rate_limited_station_is_told_when_to_retry() {
        Credential slow = f.ca.stations().create("slow", "dev-[0-9]+", 0, 1, "admin:test");
        assertThat(f.ca.est().simpleEnroll(b64(CaFixture.csr("dev-40")), slow.fullChain()).status()).isEqualTo(200);
        EstResponse r = f.ca.est().simpleEnroll(b64(CaFixture.csr("dev-41")), slow.fullChain());
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.headers()).containsEntry("Retry-After", "1");
        assertThat(new String(r.body())).contains("RATE_EXCEEDED");
    }

    private static byte[] b64(byte[] der) {
        return Base64.getMimeEncoder().encode(der);
    }

    private static List<X509CertificateHolder> certs(EstResponse r) throws Exception {
        CMSSignedData cms = new CMSSignedData(Base64.getMimeDecoder().decode(r.body()));
        assertThat(cms.getSignerInfos().size()).isZero();
        return List.copyOf(cms.getCertificates().getMatches(null));
    }
}
