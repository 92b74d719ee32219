package dev.imprint.ca;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.pki.Pem;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RevocationTest {
    @TempDir
    Path tmp;
    CaFixture f;

    @BeforeEach
    void open() {
        f = new CaFixture(tmp);
        f.ca.stations().create("line-1", "dev-[0-9]+", 0, 0, "admin:test");
    }

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void revoked_certificate_is_in_the_delta_at_once_and_in_the_next_full_crl() throws Exception {
        IssuedCertificate a = f.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-1")));
        IssuedCertificate b = f.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-2")));
        X509Certificate mfg = f.ca.hierarchy().issuer("manufacturing");
        X509CRL fullBefore = Pem.readCrl(f.ca.revocation().crl("manufacturing"));
        fullBefore.verify(mfg.getPublicKey());
        assertThat(fullBefore.getRevokedCertificates()).isNull();

        assertThat(f.ca.revocation().revoke(a.serialHex(), 1, "admin:test")).isPresent();
        X509CRL delta = Pem.readCrl(f.ca.revocation().deltaCrl("manufacturing"));
        delta.verify(mfg.getPublicKey());
        assertThat(delta.getRevokedCertificate(a.certificate().getSerialNumber())).isNotNull();
        assertThat(delta.getRevokedCertificate(b.certificate().getSerialNumber())).isNull();
        assertThat(delta.getCriticalExtensionOIDs()).contains(Extension.deltaCRLIndicator.getId());
        long deltaBase = ASN1Integer.getInstance(ASN1OctetString.getInstance(
                delta.getExtensionValue(Extension.deltaCRLIndicator.getId())).getOctets()).longValueExact();
        assertThat(deltaBase).isLessThan(number(delta));

        // the full CRL follows within a second
        X509CRL full = awaitFullListing(a.certificate().getSerialNumber());
        full.verify(mfg.getPublicKey());
        assertThat(full.getRevokedCertificate(a.certificate().getSerialNumber()).getRevocationReason().ordinal()).isEqualTo(1);
        assertThat(number(full)).isGreaterThan(number(fullBefore));
        assertThat(full.getNextUpdate()).isAfter(full.getThisUpdate());
        // the device's audit trail
        assertThat(f.store.audit().list(0, 1000)).extracting(e -> e.type()).contains("cert.issued", "cert.revoked", "station.created");
        assertThat(f.ca.verifyAudit()).isEmpty();
    }

    @Test
    void a_station_revocation_cut_short_by_a_crash_is_finished_when_the_ca_opens() throws Exception {
        var cred = f.ca.stations().create("half", "half-[0-9]+", 0, 0, "admin:test");
        String serial = dev.imprint.ca.issuance.Serials.hex(cred.certificate().getSerialNumber());
        // what a crash between the two transactions of a station revocation leaves: the station revoked, its certificate not
        f.store.stations().revoke("half", new dev.imprint.store.AuditLog.Entry("station.revoked", "admin:test", "half", "{}"));
        assertThat(f.store.certificates().findBySerial(serial).orElseThrow().revoked()).isFalse();

        f = f.reopen();
        assertThat(f.store.certificates().findBySerial(serial).orElseThrow().revoked()).isTrue();
        assertThat(f.store.audit().list(0, 1000)).anySatisfy(e -> {
            assertThat(e.type()).isEqualTo("cert.revoked");
            assertThat(e.actor()).isEqualTo("ca:repair");
        });
        // the other station is untouched, and a second open repairs nothing more
        assertThat(f.store.stations().find("line-1").orElseThrow().revoked()).isFalse();
        int entries = f.store.audit().list(0, 1000).size();
        f = f.reopen();
        assertThat(f.store.audit().list(0, 1000)).hasSize(entries);
    }

    @Test
    void crl_number_never_goes_back_across_reopen() throws Exception {
        IssuedCertificate a = f.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-1")));
        f.ca.revocation().revoke(a.serialHex(), 0, "admin:test");
        awaitFullListing(a.certificate().getSerialNumber());
        long full1 = number(Pem.readCrl(f.ca.revocation().crl("manufacturing")));
        long delta1 = number(Pem.readCrl(f.ca.revocation().deltaCrl("manufacturing")));
        f = f.reopen();
        IssuedCertificate b = f.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-2")));
        f.ca.revocation().revoke(b.serialHex(), 0, "admin:test");
        X509CRL full2 = awaitFullListing(b.certificate().getSerialNumber());
        long delta2 = number(Pem.readCrl(f.ca.revocation().deltaCrl("manufacturing")));
        assertThat(number(full2)).isGreaterThan(full1);
        assertThat(delta2).isGreaterThan(delta1);
        assertThat(full2.getRevokedCertificate(a.certificate().getSerialNumber())).isNotNull();
    }

    @Test
    void ocsp_answers_good_revoked_and_unknown_with_the_nonce() throws Exception {
        IssuedCertificate good = f.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-1")));
        IssuedCertificate bad = f.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-2")));
        f.ca.revocation().revoke(bad.serialHex(), 1, "admin:test");
        X509Certificate mfg = f.ca.hierarchy().issuer("manufacturing");

        assertThat(ocsp(mfg, good.certificate().getSerialNumber())).isEqualTo(CertificateStatus.GOOD);
        assertThat(ocsp(mfg, bad.certificate().getSerialNumber())).isInstanceOf(RevokedStatus.class);
        assertThat(ocsp(mfg, BigInteger.valueOf(12345))).isInstanceOf(UnknownStatus.class);
        // garbage gets malformedRequest, not an exception
        assertThat(new OCSPResp(f.ca.revocation().ocsp(new byte[] {1, 2, 3})).getStatus()).isEqualTo(1);
    }

    @Test
    void expired_device_certificates_past_retention_are_pruned_and_the_crl_and_audit_chain_stay_right() throws Exception {
        var meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        CaSettings base = CaSettings.defaults(tmp.resolve("pki"), CaFixture.PASS, "http://127.0.0.1:8080")
                .withExpiredCertificateRetention(Duration.ofDays(1)).withMeterRegistry(meters);
        f.close();
        f = new CaFixture(tmp, base.withValidity(Duration.ofHours(1), Duration.ofDays(30)));
        IssuedCertificate oldRevoked = f.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-1")));
        IssuedCertificate old = f.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-2")));
        f.ca.revocation().revoke(oldRevoked.serialHex(), 1, "admin:test");
        f.close();
        f = new CaFixture(tmp, base.withValidity(Duration.ofDays(20), Duration.ofDays(30)));
        IssuedCertificate liveRevoked = f.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-3")));
        IssuedCertificate live = f.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-4")));
        f.ca.revocation().revoke(liveRevoked.serialHex(), 1, "admin:test");
        awaitFullListing(liveRevoked.certificate().getSerialNumber());
        long certificates = f.store.certificates().count(); // 4 devices and the station line-1
        int auditEntries = f.store.audit().list(0, 1000).size();
        Instant oldExpiry = old.certificate().getNotAfter().toInstant();

        // expired, but within the retention: kept
        assertThat(f.ca.pruneExpiredCertificates(oldExpiry.plus(Duration.ofHours(12)))).isZero();
        // past it: only the two expired device certificates go; the revoked live one, the live one and the station's stay
        assertThat(f.ca.pruneExpiredCertificates(oldExpiry.plus(Duration.ofDays(1)).plusSeconds(60))).isEqualTo(2);
        assertThat(f.store.certificates().count()).isEqualTo(certificates - 2);
        assertThat(f.store.certificates().findBySerial(oldRevoked.serialHex())).isEmpty();
        assertThat(f.store.certificates().findBySerial(old.serialHex())).isEmpty();
        assertThat(f.store.certificates().findBySerial(live.serialHex())).isPresent();
        assertThat(f.store.certificates().findLive("line-1", "station", Instant.now())).hasSize(1);
        assertThat(meters.counter("imprint.ca.certificates.pruned", "ca", "manufacturing").count()).isEqualTo(2);

        // the full CRL was rebuilt without the expired entry and still lists the revoked live certificate
        X509CRL full = Pem.readCrl(f.ca.revocation().crl("manufacturing"));
        full.verify(f.ca.hierarchy().issuer("manufacturing").getPublicKey());
        assertThat(full.getRevokedCertificate(liveRevoked.certificate().getSerialNumber())).isNotNull();
        assertThat(full.getRevokedCertificate(oldRevoked.certificate().getSerialNumber())).isNull();
        assertThat(ocsp(f.ca.hierarchy().issuer("manufacturing"), liveRevoked.certificate().getSerialNumber()))
                .isInstanceOf(RevokedStatus.class);
        // the audit chain lost nothing and still verifies
        assertThat(f.store.audit().list(0, 1000)).hasSize(auditEntries);
        assertThat(f.ca.verifyAudit()).isEmpty();
        // a later revocation still gets the next seq and reaches the CRLs
        f.ca.revocation().revoke(live.serialHex(), 4, "admin:test");
        assertThat(awaitFullListing(live.certificate().getSerialNumber())
                .getRevokedCertificate(liveRevoked.certificate().getSerialNumber())).isNotNull();
    }

    private Object ocsp(X509Certificate issuer, BigInteger serial) throws Exception {
        var digests = new JcaDigestCalculatorProviderBuilder().build();
        CertificateID id = new CertificateID(digests.get(CertificateID.HASH_SHA1), new JcaX509CertificateHolder(issuer), serial);
        byte[] nonce = new byte[] {9, 8, 7, 6, 5, 4, 3, 2};
        var req = new OCSPReqBuilder().addRequest(id)
                .setRequestExtensions(new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false,
                        new DEROctetString(nonce).getEncoded()))).build();
        OCSPResp resp = new OCSPResp(f.ca.revocation().ocsp(req.getEncoded()));
        assertThat(resp.getStatus()).isZero();
        BasicOCSPResp basic = (BasicOCSPResp) resp.getResponseObject();
        assertThat(basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(issuer.getPublicKey()))).isTrue();
        assertThat(ASN1OctetString.getInstance(basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce).getParsedValue())
                .getOctets()).isEqualTo(nonce);
        CertificateStatus s = basic.getResponses()[0].getCertStatus();
        return s == null ? CertificateStatus.GOOD : s;
    }

    private X509CRL awaitFullListing(BigInteger serial) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 1000;
        while (true) {
            X509CRL crl = Pem.readCrl(f.ca.revocation().crl("manufacturing"));
            if (crl.getRevokedCertificate(serial) != null) {
                return crl;
            }
            assertThat(System.currentTimeMillis()).as("full CRL within 1 s of a revocation").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static long number(X509CRL crl) {
        return CRLNumber.getInstance(ASN1OctetString.getInstance(crl.getExtensionValue(Extension.cRLNumber.getId())).getOctets())
                .getCRLNumber().longValueExact();
    }
}
