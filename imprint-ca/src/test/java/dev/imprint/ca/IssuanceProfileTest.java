package dev.imprint.ca;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.ca.hierarchy.CaHierarchy;
import dev.imprint.pki.Pem;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IssuanceProfileTest {
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
    void issued_certificate_follows_the_profile() throws Exception {
        IssuedCertificate issued = f.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-1")));
        X509Certificate c = issued.certificate();
        X509Certificate mfg = f.ca.hierarchy().issuer(CaHierarchy.MANUFACTURING);
        c.verify(mfg.getPublicKey());
        assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=dev-1");
        assertThat(c.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(c.getKeyUsage()[0]).isTrue();
        assertThat(c.getKeyUsage()).hasSize(9).containsOnlyOnce(true);
        assertThat(c.getBasicConstraints()).isEqualTo(-1);
        assertThat(c.getSubjectAlternativeNames()).containsExactly(List.of(6, "urn:imprint:device:dev-1"));
        assertThat(c.getSerialNumber().signum()).isPositive();
        assertThat(c.getSerialNumber().bitLength()).isLessThanOrEqualTo(159).isGreaterThan(120);
        assertThat(issued.serialHex()).isEqualTo(c.getSerialNumber().toString(16));
        // validity from the profile (20 years, backdated a minute), clamped to the CA
        Duration life = Duration.between(c.getNotBefore().toInstant(), c.getNotAfter().toInstant());
        assertThat(life).isBetween(Duration.ofDays(20 * 365), Duration.ofDays(20 * 365 + 6));

        X509CertificateHolder h = new X509CertificateHolder(issued.der());
        CRLDistPoint cdp = CRLDistPoint.fromExtensions(h.getExtensions());
        assertThat(uri(GeneralNames.getInstance(cdp.getDistributionPoints()[0].getDistributionPoint().getName())))
                .isEqualTo("http://127.0.0.1:8080/crl/manufacturing.crl");
        AuthorityInformationAccess aia = AuthorityInformationAccess.fromExtensions(h.getExtensions());
        assertThat(aia.getAccessDescriptions()).extracting(d -> d.getAccessMethod().getId() + " " + uri(d.getAccessLocation()))
                .containsExactly(AccessDescription.id_ad_ocsp.getId() + " http://127.0.0.1:8080/ocsp",
                        AccessDescription.id_ad_caIssuers.getId() + " http://127.0.0.1:8080/ca/manufacturing.crt");
        assertThat(h.getExtension(Extension.subjectKeyIdentifier)).isNotNull();
        byte[] aki = org.bouncycastle.asn1.x509.AuthorityKeyIdentifier.fromExtensions(h.getExtensions()).getKeyIdentifierOctets();
        byte[] caSki = org.bouncycastle.asn1.x509.SubjectKeyIdentifier.fromExtensions(
                new X509CertificateHolder(mfg.getEncoded()).getExtensions()).getKeyIdentifier();
        assertThat(aki).isEqualTo(caSki);
        assertThat(c.getExtensionValue(Extension.keyUsage.getId())).isNotNull();
        assertThat(c.getCriticalExtensionOIDs()).contains(Extension.keyUsage.getId(), Extension.basicConstraints.getId());
        // recorded before it was returned
        assertThat(f.store.certificates().findBySerial(issued.serialHex())).get()
                .satisfies(r -> assertThat(r.deviceId()).isEqualTo("dev-1"))
                .satisfies(r -> assertThat(r.requestedBy()).isEqualTo("station:line-1"));
    }

    @Test
    void accepts_p384_ed25519_and_rsa2048_keys() throws Exception {
        f.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr(CaFixture.ec("secp384r1"), "SHA384withECDSA", "CN=dev-2", null)));
        var ed = java.security.KeyPairGenerator.getInstance("Ed25519", dev.imprint.pki.CryptoProviders.bouncyCastle()).generateKeyPair();
        f.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr(ed, "Ed25519", "CN=dev-3", null)));
        f.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr(CaFixture.rsa(2048), "SHA256withRSA", "CN=dev-4", null)));
        // the ID may also come from the SAN URI alone
        var bySan = CaFixture.csr(CaFixture.ec256(), "SHA256withECDSA", "", CaFixture.san(
                new GeneralName(GeneralName.uniformResourceIdentifier, "urn:imprint:device:dev-5")));
        assertThat(f.ca.issue(IssuanceRequest.byStation("line-1", bySan)).deviceId()).isEqualTo("dev-5");
        assertThat(f.store.certificates().count()).isEqualTo(5); // 4 devices + the station
    }

    @Test
    void openssl_verify_accepts_the_issued_chain() throws Exception {
        IssuedCertificate issued = f.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-7")));
        Path leaf = tmp.resolve("leaf.pem");
        Path chain = tmp.resolve("chain.pem");
        Files.writeString(leaf, Pem.write(issued.certificate()), StandardCharsets.US_ASCII);
        Files.writeString(chain, Pem.write(issued.chain().get(0)), StandardCharsets.US_ASCII);
        Process p = new ProcessBuilder("openssl", "verify", "-x509_strict", "-purpose", "sslclient",
                "-CAfile", f.ca.hierarchy().rootFile().toString(), "-untrusted", chain.toString(), leaf.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("out.txt").toFile()).start();
        assertThat(p.waitFor()).as(Files.readString(tmp.resolve("out.txt"))).isZero();
        assertThat(Files.readString(tmp.resolve("out.txt"))).contains("OK");
        assertThat(new File(f.ca.hierarchy().rootFile().toString())).exists();
    }

    private static String uri(GeneralNames names) {
        return uri(names.getNames()[0]);
    }

    private static String uri(GeneralName n) {
        return ((ASN1IA5String) n.getName()).getString();
    }
}
