package dev.imprint.pki.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.pki.KeyAlgorithm;
import java.io.ByteArrayInputStream;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The signature cache never turns a failed verification into a pass: not for another key, nor for a colliding hash. */
class SignatureCacheTest {
    static X509Certificate ca;

    @BeforeAll
    static void certs() {
        PathCheckerTest.keys();
        ca = PathCheckerTest.mid(-1);
    }

    @Test
    void verifies_with_the_issuer_key_only_cached_or_not() {
        KeyPair other = KeyAlgorithm.EC_P256.generate();
        for (int capacity : new int[] {0, 1, 100}) {
            SignatureCache c = new SignatureCache(capacity);
            for (int i = 0; i < 2; i++) {
                assertThat(c.verify(ca, PathCheckerTest.rootKey.getPublic(), true)).isTrue();
                assertThat(c.verify(ca, other.getPublic(), true)).isFalse();
                assertThat(c.verify(ca, PathCheckerTest.rootKey.getPublic(), false)).isTrue();
                assertThat(c.verify(ca, other.getPublic(), false)).isFalse();
            }
        }
    }

    @Test
    void a_forged_certificate_with_the_same_hash_as_a_verified_one_is_still_checked() throws Exception {
        byte[] der = ca.getEncoded();
        byte[] forged = null;
        // change two adjacent signature bytes so that Arrays.hashCode stays the same (+1 at i is +31, -31 at i+1)
        for (int i = der.length - 2; i > der.length - 20 && forged == null; i--) {
            if (der[i] < 127 && der[i + 1] >= -128 + 31) {
                byte[] f = der.clone();
                f[i]++;
                f[i + 1] -= 31;
                try {
                    X509Certificate x = (X509Certificate) CertificateFactory.getInstance("X.509")
                            .generateCertificate(new ByteArrayInputStream(f));
                    if (Arrays.hashCode(x.getEncoded()) == Arrays.hashCode(der)) {
                        forged = f;
                    }
                } catch (Exception e) {
                    // not a certificate any more at this position: try the next
                }
            }
        }
        assertThat(forged).as("a colliding forgery").isNotNull();
        X509Certificate fake = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(forged));
        SignatureCache c = new SignatureCache(100);
        assertThat(c.verify(ca, PathCheckerTest.rootKey.getPublic(), true)).isTrue();
        assertThat(c.verify(fake, PathCheckerTest.rootKey.getPublic(), true)).isFalse();
    }

    @Test
    void signatures_outside_the_fast_set_are_verified_by_the_jdk_both_ways() throws Exception {
        var b = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(new org.bouncycastle.asn1.x500.X500Name("CN=PC Mid"),
                java.math.BigInteger.valueOf(9), java.util.Date.from(PathCheckerTest.past()), java.util.Date.from(PathCheckerTest.future()),
                new org.bouncycastle.asn1.x500.X500Name("CN=dev-s"), PathCheckerTest.leafKey.getPublic());
        b.addExtension(PathCheckerTest.ku(KeyUsage.digitalSignature));
        X509Certificate sha224 = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(b.build(
                new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA224withECDSA").build(PathCheckerTest.midKey.getPrivate())));
        SignatureCache c = new SignatureCache(10);
        assertThat(c.verify(sha224, PathCheckerTest.midKey.getPublic(), false)).isTrue();
        assertThat(c.verify(sha224, PathCheckerTest.rootKey.getPublic(), false)).isFalse();
    }
}
