package dev.imprint.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Arrays;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyUsage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every refusal: its own reason code and HTTP status, and nothing issued. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IssuanceRefusalTest {
    @TempDir
    static Path tmp;
    CaFixture f;
    long before;
    final AtomicInteger ids = new AtomicInteger(100);

    /** One CA for the class (opening one costs a second of key decryption); each test uses fresh IDs and stations. */
    @BeforeAll
    void open() {
        f = new CaFixture(tmp);
        f.ca.stations().create("line-1", "dev-[0-9]+", 0, 0, "admin:test");
    }

    @BeforeEach
    void count() {
        before = f.store.certificates().count();
    }

    @AfterAll
    void close() {
        f.close();
    }

    private String id() {
        return "dev-" + ids.incrementAndGet();
    }

    private void refused(IssuanceRequest req, String code, int status) {
        CaException e = catchThrowableOfType(() -> f.ca.issue(req), CaException.class);
        assertThat(e).as("expected refusal " + code).isNotNull();
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.httpStatus()).isEqualTo(status);
        assertThat(f.store.certificates().count()).as("nothing issued").isEqualTo(before);
    }

    private void station(byte[] csr, String code, int status) {
        refused(IssuanceRequest.byStation("line-1", csr), code, status);
    }

    @Test
    void rejects_malformed_csr() {
        station(new byte[] {0x30, 0x03, 0x02, 0x01, 0x00}, "CSR_MALFORMED", 400);
        station("hello".getBytes(), "CSR_MALFORMED", 400);
    }

    @Test
    void rejects_csr_with_bad_signature() {
        byte[] csr = CaFixture.csr("dev-1");
        csr[csr.length - 5] ^= 0x01;
        station(csr, "CSR_BAD_SIGNATURE", 400);
    }

    @Test
    void rejects_csr_signed_by_another_key() {
        // CSR body of key A, signature by key B: possession not proven
        byte[] a = CaFixture.csr(CaFixture.ec256(), "SHA256withECDSA", "CN=dev-1", null);
        byte[] b = CaFixture.csr(CaFixture.ec256(), "SHA256withECDSA", "CN=dev-1", null);
        var ra = org.bouncycastle.asn1.pkcs.CertificationRequest.getInstance(a);
        var rb = org.bouncycastle.asn1.pkcs.CertificationRequest.getInstance(b);
        byte[] forged;
        try {
            forged = new org.bouncycastle.asn1.pkcs.CertificationRequest(ra.getCertificationRequestInfo(),
                    rb.getSignatureAlgorithm(), rb.getSignature()).getEncoded();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        station(forged, "CSR_BAD_SIGNATURE", 400);
    }

    @Test
    void rejects_weak_rsa_key() throws Exception {
        station(CaFixture.csr(CaFixture.rsa(1024), "SHA256withRSA", "CN=dev-1", null), "KEY_WEAK", 400);
    }

    @Test
    void rejects_unknown_curve() throws Exception {
        station(CaFixture.csr(CaFixture.ec("secp256k1"), "SHA256withECDSA", "CN=dev-1", null), "KEY_UNSUPPORTED", 400);
    }

    @Test
    void rejects_id_outside_station_pattern() {
        station(CaFixture.csr("other-1"), "ID_NOT_ALLOWED", 403);
        station(CaFixture.csr("dev-1x"), "ID_NOT_ALLOWED", 403); // the pattern must match in full
    }

    @Test
    void rejects_csr_without_device_id_or_with_an_invalid_one() {
        station(CaFixture.csr(CaFixture.ec256(), "SHA256withECDSA", "", null), "ID_MISSING", 400);
        station(CaFixture.csr("dev 1/../x"), "ID_INVALID", 400);
    }

    @Test
    void rejects_when_quota_is_used_up() {
        f.ca.stations().create("small", "dev-[0-9]+", 2, 0, "admin:test");
        f.ca.issue(IssuanceRequest.byStation("small", CaFixture.csr(id())));
        f.ca.issue(IssuanceRequest.byStation("small", CaFixture.csr(id())));
        before = f.store.certificates().count();
        refused(IssuanceRequest.byStation("small", CaFixture.csr(id())), "QUOTA_EXCEEDED", 403);
    }

    @Test
    void rejects_when_rate_is_exceeded() {
        f.ca.stations().create("slow", "dev-[0-9]+", 0, 1, "admin:test");
        f.ca.issue(IssuanceRequest.byStation("slow", CaFixture.csr(id())));
        before = f.store.certificates().count();
        refused(IssuanceRequest.byStation("slow", CaFixture.csr(id())), "RATE_EXCEEDED", 429);
    }

    @Test
    void admin_issues_device_certificates_only_from_device_cas() {
        String dev = id();
        assertThat(f.ca.issue(IssuanceRequest.byAdmin("admin:test", "operational", CaFixture.csr(dev))).ca()).isEqualTo("operational");
        before = f.store.certificates().count();
        refused(IssuanceRequest.byAdmin("admin:test", "service", CaFixture.csr(id())), "UNKNOWN_CA", 404);
        refused(IssuanceRequest.byAdmin("admin:test", "operational", CaFixture.csr(dev)), "DEVICE_HAS_LIVE_CERTIFICATE", 409);
    }

    @Test
    void rejects_unknown_station() {
        refused(IssuanceRequest.byStation("nobody", CaFixture.csr("dev-1")), "STATION_UNKNOWN", 403);
    }

    @Test
    void revoked_station_gets_nothing() {
        f.ca.stations().create("gone", "dev-[0-9]+", 0, 0, "admin:test");
        f.ca.stations().revoke("gone", "admin:test");
        before = f.store.certificates().count();
        refused(IssuanceRequest.byStation("gone", CaFixture.csr(id())), "STATION_REVOKED", 403);
    }

    @Test
    void rejects_device_id_with_a_live_certificate() {
        String dev = id();
        f.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr(dev)));
        before = f.store.certificates().count();
        station(CaFixture.csr(dev), "DEVICE_HAS_LIVE_CERTIFICATE", 409);
    }

    @Test
    void device_may_reenroll_with_its_live_certificate_but_not_as_another() {
        String dev = id();
        IssuedCertificate first = f.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr(dev)));
        IssuedCertificate renewed = f.ca.issue(IssuanceRequest.reenroll(first.certificate(), CaFixture.csr(dev)));
        assertThat(renewed.ca()).isEqualTo("operational");
        assertThat(renewed.deviceId()).isEqualTo(dev);
        before = f.store.certificates().count();
        refused(IssuanceRequest.reenroll(first.certificate(), CaFixture.csr(id())), "IDENTITY_MISMATCH", 403);
        f.ca.revocation().revoke(first.serialHex(), 1, "admin:test");
        refused(IssuanceRequest.reenroll(first.certificate(), CaFixture.csr(dev)), "AUTH_REFUSED", 403);
    }

    @Test
    void a_refused_request_leaves_its_device_id_free() {
        f.ca.stations().create("one", "dev-[0-9]+", 1, 0, "admin:test");
        f.ca.issue(IssuanceRequest.byStation("one", CaFixture.csr(id())));
        String dev = id();
        before = f.store.certificates().count();
        refused(IssuanceRequest.byStation("one", CaFixture.csr(dev)), "QUOTA_EXCEEDED", 403);
        // the ID was claimed while the request ran; the refusal gave it back
        assertThat(f.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr(dev))).deviceId()).isEqualTo(dev);
    }

    @Test
    void reenrollment_with_a_certificate_this_ca_did_not_issue_is_refused() {
        String device = id();
        var foreign = dev.imprint.testkit.TestPki.create().device(device);
        refused(IssuanceRequest.reenroll(foreign.cert(), CaFixture.csr(device)), "AUTH_REFUSED", 403);
    }

    @Test
    void rejects_csr_asking_for_ca_rights() throws Exception {
        KeyPair kp = CaFixture.ec256();
        Extensions ca = new Extensions(new Extension(Extension.basicConstraints, true, new BasicConstraints(true).getEncoded()));
        station(CaFixture.csr(kp, "SHA256withECDSA", "CN=dev-1", ca), "CSR_ASKS_FOR_CA", 400);
        Extensions certSign = new Extensions(new Extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign).getEncoded()));
        station(CaFixture.csr(kp, "SHA256withECDSA", "CN=dev-1", certSign), "CSR_ASKS_FOR_CA", 400);
    }

    @Test
    void rejects_csr_asking_for_names_it_may_not_have() throws Exception {
        KeyPair kp = CaFixture.ec256();
        station(CaFixture.csr(kp, "SHA256withECDSA", "CN=dev-1", CaFixture.san(new GeneralName(GeneralName.dNSName, "bank.example"))),
                "CSR_FORBIDDEN_NAMES", 400);
        station(CaFixture.csr(kp, "SHA256withECDSA", "CN=dev-1,O=Evil Corp", null), "CSR_FORBIDDEN_NAMES", 400);
        station(CaFixture.csr(kp, "SHA256withECDSA", "CN=dev-1", CaFixture.san(
                new GeneralName(GeneralName.uniformResourceIdentifier, "urn:imprint:device:dev-2"))), "CSR_FORBIDDEN_NAMES", 400);
        station(CaFixture.csr(kp, "SHA256withECDSA", "CN=dev-1", CaFixture.san(
                new GeneralName(GeneralName.uniformResourceIdentifier, "urn:imprint:station:line-1"))), "CSR_FORBIDDEN_NAMES", 400);
    }

    @Test
    void refusals_are_counted_by_reason() {
        var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        Path other = tmp.resolve("metered");
        try (CaFixture m = new CaFixture(other, CaSettings.defaults(other.resolve("pki"), CaFixture.PASS, "http://127.0.0.1:8080")
                .withMeterRegistry(registry))) {
            m.ca.stations().create("line-1", "dev-[0-9]+", 0, 0, "admin:test");
            catchThrowableOfType(() -> m.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("x-1"))), CaException.class);
            m.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-9")));
        }
        assertThat(registry.counter("imprint.ca.refused", "reason", "ID_NOT_ALLOWED").count()).isEqualTo(1);
        assertThat(registry.counter("imprint.ca.issued", "ca", "manufacturing").count()).isEqualTo(1);
        assertThat(Arrays.asList(CaException.Reason.values())).hasSizeGreaterThan(15);
    }

    @Test
    void an_issued_certificate_lives_its_configured_time_is_recorded_with_its_key_and_frees_its_id() throws Exception {
        String dev = id();
        java.time.Instant now = java.time.Instant.now();
        IssuedCertificate issued = f.ca.issue(IssuanceRequest.byAdmin("admin:test", "operational", CaFixture.csr(dev)));
        java.security.cert.X509Certificate c = issued.certificate();
        // operational device validity is 30 days (CaSettings.defaults), well inside the issuing CA's own
        assertThat(c.getNotAfter().toInstant()).isBetween(now.plus(java.time.Duration.ofDays(30)).minusSeconds(5),
                now.plus(java.time.Duration.ofDays(30)).plusSeconds(5));
        assertThat(c.getNotAfter()).isBefore(issued.chain().get(0).getNotAfter());
        var record = f.store.certificates().findBySerial(issued.serialHex()).orElseThrow();
        assertThat(record.keyFingerprint()).isEqualTo(java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(c.getPublicKey().getEncoded())));
        // once revoked, the ID may be issued again: the successful issuance gave its in-flight claim back
        f.ca.revocation().revoke(issued.serialHex(), 1, "admin:test");
        assertThat(f.ca.issue(IssuanceRequest.byAdmin("admin:test", "operational", CaFixture.csr(dev))).deviceId()).isEqualTo(dev);
    }
}
