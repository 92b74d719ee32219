package dev.imprint.pki.validation.crl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.pki.validation.RevocationStatus;
import dev.imprint.testkit.TestPki;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** A delta CRL merged over its base: new revocations added, removeFromCRL lifts a hold, a delta for another base is ignored. */
class DeltaCrlTest {
    private final TestPki pki = TestPki.create();
    private final Instant now = pki.now();

    private byte[] crl(long number, Long deltaBase, Map<TestPki.Issued, Integer> entries) throws Exception {
        TestPki.Ca ca = pki.issuingCa();
        X509v2CRLBuilder b = new X509v2CRLBuilder(ca.name(), Date.from(now.minus(Duration.ofMinutes(5))));
        b.setNextUpdate(Date.from(now.plus(Duration.ofDays(1))));
        for (var e : entries.entrySet()) {
            b.addCRLEntry(e.getKey().cert().getSerialNumber(), Date.from(now.minus(Duration.ofMinutes(10))), e.getValue());
        }
        b.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(number)));
        if (deltaBase != null) {
            b.addExtension(Extension.deltaCRLIndicator, true, new CRLNumber(BigInteger.valueOf(deltaBase)));
        }
        b.addExtension(Extension.authorityKeyIdentifier, false, new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.cert()));
        return b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.key().getPrivate())).getEncoded();
    }

    private RevocationStatus status(CrlCache cache, TestPki.Issued d) {
        return cache.status(d.cert(), pki.intermediate(), now);
    }

    @Test
    void merges_delta_over_base_including_remove_from_crl() throws Exception {
        TestPki.Issued a = pki.device("a");
        TestPki.Issued held = pki.device("held");
        TestPki.Issued c = pki.device("c");
        TestPki.Issued fine = pki.device("fine");
        CrlCache cache = CrlCache.builder().fetch(false).build();
        cache.add(crl(10, null, Map.of(a, CRLReason.keyCompromise, held, CRLReason.certificateHold)));

        assertThat(status(cache, held)).isInstanceOf(RevocationStatus.Revoked.class);
        assertThat(status(cache, c)).isEqualTo(RevocationStatus.good());

        cache.add(crl(11, 10L, Map.of(c, CRLReason.superseded, held, CRLReason.removeFromCRL)));

        assertThat(status(cache, a)).isInstanceOf(RevocationStatus.Revoked.class);
        assertThat(status(cache, held)).as("hold lifted by removeFromCRL").isEqualTo(RevocationStatus.good());
        RevocationStatus cs = status(cache, c);
        assertThat(cs).isInstanceOf(RevocationStatus.Revoked.class);
        assertThat(((RevocationStatus.Revoked) cs).reason()).isEqualTo(CRLReason.superseded);
        assertThat(status(cache, fine)).isEqualTo(RevocationStatus.good());
    }

    @Test
    void ignores_delta_whose_base_is_newer_than_the_complete_crl() throws Exception {
        TestPki.Issued c = pki.device("c2");
        CrlCache cache = CrlCache.builder().fetch(false).build();
        cache.add(crl(10, null, Map.of()));
        cache.add(crl(21, 20L, Map.of(c, CRLReason.keyCompromise))); // needs base 20, which we do not hold
        assertThat(status(cache, c)).isEqualTo(RevocationStatus.good());
    }
}
