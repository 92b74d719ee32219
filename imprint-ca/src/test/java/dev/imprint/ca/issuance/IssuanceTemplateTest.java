package dev.imprint.ca.issuance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.ca.CaException.Reason;
import dev.imprint.ca.IssuanceRequest.Method;
import dev.imprint.ca.hierarchy.CaHierarchy;
import dev.imprint.ca.hierarchy.IssuingCa;
import dev.imprint.pki.CryptoProviders;
import dev.imprint.testkit.TestPki;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rules each enrollment method brings, device IDs in certificates, and the certificate template: no CA folder, no store. */
class IssuanceTemplateTest {
    static TestPki pki;

    @BeforeAll
    static void pki() {
        CryptoProviders.install();
        pki = TestPki.create();
    }

    // ---- enrollment methods ----------------------------------------------------------

    private static final EnrollmentMethods METHODS = new EnrollmentMethods(
            ca -> CaHierarchy.MANUFACTURING.equals(ca) ? Duration.ofDays(7300) : Duration.ofDays(365));

    @Test
    void a_station_enrolls_from_manufacturing_within_its_pattern_rate_and_quota() {
        List<IssuanceRule> rules = METHODS.rulesFor(new Method.Station("line-1"));
        assertThat(rules).containsExactly(
                new IssuanceRule.KeyAccepted(), new IssuanceRule.CsrSignature(),
                new IssuanceRule.DeviceNamesOnly(), new IssuanceRule.NoCaRights(),
                new IssuanceRule.DeviceProfile(CaHierarchy.MANUFACTURING, Duration.ofDays(7300)),
                new IssuanceRule.ClampToIssuer(),
                new IssuanceRule.StationActive("line-1"), new IssuanceRule.StationIdPattern("line-1"),
                new IssuanceRule.NoLiveCertificate(), new IssuanceRule.StationRate("line-1"),
                new IssuanceRule.StationQuota("line-1"));
        assertThat(EnrollmentMethods.requestedBy(new Method.Station("line-1"))).isEqualTo("station:line-1");
    }

    @Test
    void a_device_reenrolls_from_operational_as_itself_with_a_certificate_not_revoked() {
        X509Certificate current = pki.device("dev-7").cert();
        List<IssuanceRule> rules = METHODS.rulesFor(new Method.Reenroll(current));
        String serial = Serials.hex(current.getSerialNumber());
        assertThat(rules).containsExactly(
                new IssuanceRule.KeyAccepted(), new IssuanceRule.CsrSignature(),
                new IssuanceRule.DeviceNamesOnly(), new IssuanceRule.NoCaRights(),
                new IssuanceRule.DeviceProfile(CaHierarchy.OPERATIONAL, Duration.ofDays(365)),
                new IssuanceRule.ClampToIssuer(),
                new IssuanceRule.SameIdentity("dev-7"), new IssuanceRule.CurrentNotRevoked(serial));
        assertThat(EnrollmentMethods.requestedBy(new Method.Reenroll(current))).isEqualTo("reenroll:" + serial);
        // a certificate with no device identity (no device SAN, no CN) re-enrolls nothing
        X509Certificate anonymous = pki.cert("O=Nobody", pki.issuingCa()).issueLeaf().cert();
        CsrRulesTest.refused(() -> METHODS.rulesFor(new Method.Reenroll(anonymous)), Reason.AUTH_REFUSED);
    }

    @Test
    void an_admin_issues_device_certificates_from_device_cas_only() {
        assertThat(METHODS.rulesFor(new Method.Admin("admin:a", CaHierarchy.OPERATIONAL))).containsExactly(
                new IssuanceRule.KeyAccepted(), new IssuanceRule.CsrSignature(),
                new IssuanceRule.DeviceNamesOnly(), new IssuanceRule.NoCaRights(),
                new IssuanceRule.DeviceProfile(CaHierarchy.OPERATIONAL, Duration.ofDays(365)),
                new IssuanceRule.ClampToIssuer(), new IssuanceRule.NoLiveCertificate());
        assertThat(METHODS.rulesFor(new Method.Admin("admin:a", CaHierarchy.MANUFACTURING)))
                .contains(new IssuanceRule.DeviceProfile(CaHierarchy.MANUFACTURING, Duration.ofDays(7300)));
        CsrRulesTest.refused(() -> METHODS.rulesFor(new Method.Admin("admin:a", "service")), Reason.UNKNOWN_CA);
        CsrRulesTest.refused(() -> METHODS.rulesFor(new Method.Admin("admin:a", "root")), Reason.UNKNOWN_CA);
        assertThat(EnrollmentMethods.requestedBy(new Method.Admin("admin:a", CaHierarchy.OPERATIONAL))).isEqualTo("admin:a");
    }

    @Test
    void every_rule_has_its_phase_in_the_fixed_order() {
        assertThat(new IssuanceRule.KeyAccepted().phase()).isEqualTo(IssuanceRule.Phase.CSR);
        assertThat(new IssuanceRule.CsrSignature().phase()).isEqualTo(IssuanceRule.Phase.CSR);
        assertThat(new IssuanceRule.DeviceNamesOnly().phase()).isEqualTo(IssuanceRule.Phase.CSR);
        assertThat(new IssuanceRule.NoCaRights().phase()).isEqualTo(IssuanceRule.Phase.CSR);
        assertThat(new IssuanceRule.DeviceProfile("x", Duration.ZERO).phase()).isEqualTo(IssuanceRule.Phase.TEMPLATE);
        assertThat(new IssuanceRule.ClampToIssuer().phase()).isEqualTo(IssuanceRule.Phase.MODIFY);
        assertThat(new IssuanceRule.StationActive("s").phase()).isEqualTo(IssuanceRule.Phase.VALIDATE);
        assertThat(new IssuanceRule.StationIdPattern("s").phase()).isEqualTo(IssuanceRule.Phase.VALIDATE);
        assertThat(new IssuanceRule.NoLiveCertificate().phase()).isEqualTo(IssuanceRule.Phase.VALIDATE);
        assertThat(new IssuanceRule.SameIdentity("d").phase()).isEqualTo(IssuanceRule.Phase.VALIDATE);
        assertThat(new IssuanceRule.CurrentNotRevoked("1").phase()).isEqualTo(IssuanceRule.Phase.VALIDATE);
        assertThat(new IssuanceRule.StationRate("s").phase()).isEqualTo(IssuanceRule.Phase.VALIDATE);
        assertThat(new IssuanceRule.StationQuota("s").phase()).isEqualTo(IssuanceRule.Phase.RESERVE);
    }

    // ---- device IDs ------------------------------------------------------------------

    @Test
    void device_ids_are_1_to_128_safe_characters_starting_with_a_letter_or_digit() {
        assertThat(DeviceIds.valid("a")).isTrue();
        assertThat(DeviceIds.valid("dev-1.x_y:z@w+v=u")).isTrue();
        assertThat(DeviceIds.valid("a".repeat(128))).isTrue();
        assertThat(DeviceIds.valid("a".repeat(129))).isFalse();
        assertThat(DeviceIds.valid("")).isFalse();
        assertThat(DeviceIds.valid(null)).isFalse();
        assertThat(DeviceIds.valid("-dev")).isFalse();
        assertThat(DeviceIds.valid("dev/1")).isFalse();
        assertThat(DeviceIds.validName("line-1")).isTrue();
        assertThat(DeviceIds.validName("a".repeat(64))).isTrue();
        assertThat(DeviceIds.validName("a".repeat(65))).isFalse();
        assertThat(DeviceIds.validName("line:1")).isFalse();
        assertThat(DeviceIds.validName(null)).isFalse();
    }

    @Test
    void identity_from_a_certificate_san_first_then_cn_for_devices_only() {
        X509Certificate bySan = pki.cert("CN=other", pki.issuingCa()).uri("urn:imprint:device:dev-9").issueLeaf().cert();
        assertThat(DeviceIds.fromCertificate(bySan)).contains("dev-9");
        X509Certificate byCn = pki.cert("CN=dev-8", pki.issuingCa()).dns("x.example").issueLeaf().cert();
        assertThat(DeviceIds.fromCertificate(byCn)).contains("dev-8");
        X509Certificate stationCert = pki.cert("CN=line-1", pki.issuingCa())
                .uri("urn:imprint:device:dev-1").uri("urn:imprint:station:line-1").issueLeaf().cert();
        assertThat(DeviceIds.fromCertificate(stationCert, DeviceIds.STATION_URN)).contains("line-1");
        // a station is never recognised by its CN
        assertThat(DeviceIds.fromCertificate(byCn, DeviceIds.STATION_URN)).isEmpty();
        X509Certificate noCn = pki.cert("O=Nobody", pki.issuingCa()).uri("urn:other:dev-1").issueLeaf().cert();
        assertThat(DeviceIds.fromCertificate(noCn)).isEmpty();
    }

    // ---- the certificate template ----------------------------------------------------

    @Test
    void the_template_is_a_device_profile_signed_by_the_issuing_ca() throws Exception {
        TestPki.Ca issuing = pki.issuingCa();
        IssuingCa ca = new IssuingCa("operational", issuing.cert(), issuing.key().getPrivate(), CryptoProviders.bouncyCastle(),
                List.of(issuing.cert(), pki.root()));
        LeafCertificateBuilder b = new LeafCertificateBuilder(ca, "http://pki.example", KeyUsage.digitalSignature,
                KeyPurposeId.id_kp_clientAuth);
        assertThat(b.ca()).isSameAs(ca);
        SubjectPublicKeyInfo key = SubjectPublicKeyInfo.getInstance(dev.imprint.pki.KeyAlgorithm.EC_P256.generate().getPublic().getEncoded());
        Instant from = Instant.parse("2030-01-02T03:04:05Z");
        Instant to = Instant.parse("2050-01-02T03:04:05Z");
        byte[] der = b.build(BigInteger.valueOf(4242), from, to, LeafCertificateBuilder.commonName("dev-1"),
                LeafCertificateBuilder.uriName(DeviceIds.DEVICE_URN + "dev-1"), key);
        X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        c.verify(issuing.cert().getPublicKey());
        assertThat(c.getVersion()).isEqualTo(3);
        assertThat(c.getSerialNumber()).isEqualTo(BigInteger.valueOf(4242));
        assertThat(c.getIssuerX500Principal()).isEqualTo(issuing.cert().getSubjectX500Principal());
        assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=dev-1");
        assertThat(c.getNotBefore().toInstant()).isEqualTo(from);
        assertThat(c.getNotAfter().toInstant()).isEqualTo(to);
        assertThat(c.getBasicConstraints()).isEqualTo(-1);
        assertThat(c.getKeyUsage()).hasSize(9).containsOnlyOnce(true);
        assertThat(c.getKeyUsage()[0]).isTrue();
        assertThat(c.getExtendedKeyUsage()).containsExactly(KeyPurposeId.id_kp_clientAuth.getId());
        assertThat(c.getCriticalExtensionOIDs()).containsExactlyInAnyOrder(Extension.keyUsage.getId(), Extension.basicConstraints.getId());
        assertThat(c.getSubjectAlternativeNames()).containsExactly(List.of(6, "urn:imprint:device:dev-1"));
        assertThat(c.getPublicKey().getEncoded()).isEqualTo(key.getEncoded());

        X509CertificateHolder h = new X509CertificateHolder(der);
        assertThat(uri(GeneralNames.getInstance(CRLDistPoint.fromExtensions(h.getExtensions()).getDistributionPoints()[0]
                .getDistributionPoint().getName()))).isEqualTo("http://pki.example/crl/operational.crl");
        assertThat(uri(GeneralNames.getInstance(CRLDistPoint.getInstance(h.getExtension(Extension.freshestCRL).getParsedValue())
                .getDistributionPoints()[0].getDistributionPoint().getName()))).isEqualTo("http://pki.example/crl/operational-delta.crl");
        assertThat(AuthorityInformationAccess.fromExtensions(h.getExtensions()).getAccessDescriptions())
                .extracting(d -> d.getAccessMethod().getId() + " " + uri(d.getAccessLocation()))
                .containsExactly(AccessDescription.id_ad_ocsp.getId() + " http://pki.example/ocsp",
                        AccessDescription.id_ad_caIssuers.getId() + " http://pki.example/ca/operational.crt");
        byte[] caSki = SubjectKeyIdentifier.fromExtensions(new X509CertificateHolder(issuing.cert().getEncoded()).getExtensions())
                .getKeyIdentifier();
        assertThat(AuthorityKeyIdentifier.fromExtensions(h.getExtensions()).getKeyIdentifierOctets()).isEqualTo(caSki);
        byte[] ski = SubjectKeyIdentifier.fromExtensions(h.getExtensions()).getKeyIdentifier();
        assertThat(ski).isEqualTo(java.security.MessageDigest.getInstance("SHA-1").digest(key.getPublicKeyData().getBytes()));
        // the same template for the next certificate: other serial, times and key
        Instant later = from.plusSeconds(1);
        byte[] next = b.build(BigInteger.TEN, later, to.plusSeconds(1), LeafCertificateBuilder.commonName("dev-2"),
                LeafCertificateBuilder.uriName(DeviceIds.DEVICE_URN + "dev-2"), key);
        X509CertificateHolder h2 = new X509CertificateHolder(next);
        assertThat(h2.getNotBefore().toInstant()).isEqualTo(later);
        assertThat(h2.getNotAfter().toInstant()).isEqualTo(to.plusSeconds(1));
        assertThat(h2.getSerialNumber()).isEqualTo(BigInteger.TEN);
    }

    @Test
    void times_are_utc_through_2049_and_generalized_from_2050() {
        assertThat(LeafCertificateBuilder.time(Instant.parse("2049-12-31T23:59:59Z")).toASN1Primitive())
                .isInstanceOf(org.bouncycastle.asn1.ASN1UTCTime.class);
        assertThat(LeafCertificateBuilder.time(Instant.parse("2050-01-01T00:00:00Z")).toASN1Primitive())
                .isInstanceOf(org.bouncycastle.asn1.ASN1GeneralizedTime.class);
        assertThat(LeafCertificateBuilder.time(Instant.parse("2050-01-01T00:00:00Z")).getDate().toInstant())
                .isEqualTo(Instant.parse("2050-01-01T00:00:00Z"));
    }

    private static String uri(GeneralNames names) {
        return uri(names.getNames()[0]);
    }

    private static String uri(GeneralName n) {
        return ((ASN1IA5String) n.getName()).getString();
    }
}
