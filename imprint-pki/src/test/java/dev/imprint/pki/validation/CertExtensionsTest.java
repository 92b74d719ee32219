package dev.imprint.pki.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Date;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** The fast extension lookup answers exactly what {@code getExtensionValue} answers, malformed extensions included. */
class CertExtensionsTest {

    @Test
    void answers_like_getExtensionValue_for_present_absent_and_unparseable_extensions() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair kp = g.generateKeyPair();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=x"), BigInteger.ONE,
                new Date(), new Date(System.currentTimeMillis() + 86_400_000L), new X500Name("CN=x"), kp.getPublic());
        // malformed on purpose: the JDK keeps these as unparseable, and callers must still see them to refuse
        b.addExtension(Extension.subjectAlternativeName, false, new DEROctetString(new byte[] {1, 2, 3}).getEncoded());
        b.addExtension(Extension.nameConstraints, false, new DERSequence(new ASN1Integer(5)).getEncoded());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        byte[] der = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));

        for (String oid : new String[] {Extension.subjectAlternativeName.getId(), Extension.nameConstraints.getId(),
                Extension.basicConstraints.getId(), Extension.keyUsage.getId(), Extension.extendedKeyUsage.getId(),
                Extension.cRLDistributionPoints.getId(), Extension.policyConstraints.getId(), "1.2.3.4"}) {
            assertThat(CertExtensions.value(cert, oid)).as(oid).isEqualTo(cert.getExtensionValue(oid));
        }
        assertThat(CertExtensions.value(cert, Extension.subjectAlternativeName.getId())).isNotNull();
        assertThat(CertExtensions.value(cert, Extension.keyUsage.getId())).isNull();
    }
}
