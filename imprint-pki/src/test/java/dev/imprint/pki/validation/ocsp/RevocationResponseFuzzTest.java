package dev.imprint.pki.validation.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.imprint.pki.validation.RevocationStatus;
import dev.imprint.pki.validation.crl.CrlCache;
import dev.imprint.testkit.TestPki;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CRLs and OCSP responses: both are fetched from URLs a certificate names, so their bytes are
 * anyone's. The first byte picks the parser (even: CRL, odd: OCSP), the rest is the body.
 * Whatever the bytes, a status comes out (never an exception), and a definite answer (good or
 * revoked) only from bytes the issuing CA really signed.
 */
class RevocationResponseFuzzTest {
    static final TestPki PKI = TestPki.create();
    static final TestPki.Issued DEVICE = PKI.device("dev-1");
    static final TestPki.Issued REVOKED = PKI.revokedDevice("dev-2");
    static final CertificateID DEVICE_ID = id(DEVICE.cert());
    static final Instant AT = PKI.now();

    /** Real answers, made now: the issuing CA's CRL (fresh, stale), OCSP good, revoked, unknown, by a foreign key, not successful. */
    static Stream<byte[]> seeds() throws Exception {
        TestPki foreign = TestPki.foreignWithSameSubjects(PKI);
        return Stream.of(
                tagged(0, PKI.crl().getEncoded()),
                tagged(0, PKI.staleCrl().getEncoded()),
                tagged(0, foreign.crl().getEncoded()),
                tagged(1, ocsp(CertificateStatus.GOOD, PKI.issuingCa().key(), null)),
                tagged(1, ocsp(new RevokedStatus(Date.from(AT), CRLReason.keyCompromise), PKI.issuingCa().key(), null)),
                tagged(1, ocsp(new UnknownStatus(), PKI.issuingCa().key(), null)),
                tagged(1, ocsp(CertificateStatus.GOOD, foreign.issuingCa().key(),
                        new X509CertificateHolder[] {new JcaX509CertificateHolder(foreign.intermediate())})),
                tagged(1, new OCSPRespBuilder().build(OCSPRespBuilder.UNAUTHORIZED, null).getEncoded()));
    }

    @MethodSource("seeds")
    @FuzzTest
    void a_fetched_crl_or_ocsp_answer_is_a_status_and_definite_only_when_signed(byte[] data) {
        if (data.length == 0) {
            return;
        }
        byte[] body = new byte[data.length - 1];
        System.arraycopy(data, 1, body, 0, body.length);
        if ((data[0] & 1) == 0) {
            crl(body);
        } else {
            ocsp(body);
        }
    }

    private static void crl(byte[] body) {
        for (X509Certificate cert : List.of(DEVICE.cert(), REVOKED.cert())) {
            CrlCache cache = CrlCache.builder().fetch(false).build();
            try {
                cache.add(body);
            } catch (IOException refused) {
                return; // the contract: not a CRL is an IOException, nothing else
            }
            RevocationStatus s = cache.status(cert, PKI.intermediate(), AT);
            assertThat(s).isNotNull();
            if (!(s instanceof RevocationStatus.Unknown)) {
                X509CRL jdk = jdkVerifiedCrl(body);
                assertThat(jdk).as("definite answer %s from a CRL the issuing CA did not sign", s).isNotNull();
                assertThat(s instanceof RevocationStatus.Revoked).isEqualTo(jdk.isRevoked(cert));
            }
        }
    }

    private static void ocsp(byte[] body) {
        OcspSource.Answer a = OcspSource.read(body, PKI.intermediate(), DEVICE_ID, AT, Duration.ofMinutes(5), null);
        assertThat(a).isNotNull();
        assertThat(a.status()).isNotNull();
        if (!(a.status() instanceof RevocationStatus.Unknown)) {
            assertThat(signedByIssuerOrCertified(body)).as("definite OCSP answer %s, not signed by the issuer", a.status()).isTrue();
        }
    }

    /** The independent oracle: the JDK's own CRL parser and signature check. */
    private static X509CRL jdkVerifiedCrl(byte[] body) {
        try {
            X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(body));
            crl.verify(PKI.intermediate().getPublicKey());
            return crl;
        } catch (Exception e) {
            return null;
        }
    }

    /** Signed by the issuer, or carrying a certificate (a delegated responder, which the check verifies itself). */
    private static boolean signedByIssuerOrCertified(byte[] body) {
        try {
            BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(body).getResponseObject();
            return basic.getCerts().length > 0
                    || basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(PKI.intermediate().getPublicKey()));
        } catch (Exception e) {
            return false;
        }
    }

    private static byte[] ocsp(CertificateStatus status, KeyPair key, X509CertificateHolder[] certs) throws Exception {
        BasicOCSPRespBuilder b = new BasicOCSPRespBuilder(new RespID(new JcaX509CertificateHolder(PKI.intermediate()).getSubject()));
        Date now = Date.from(AT.minusSeconds(60));
        b.addResponse(DEVICE_ID, status, now, Date.from(AT.plus(Duration.ofHours(1))));
        var basic = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()), certs, now);
        return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic).getEncoded();
    }

    private static CertificateID id(X509Certificate cert) {
        try {
            return new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                    new JcaX509CertificateHolder(PKI.intermediate()), cert.getSerialNumber());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] tagged(int tag, byte[] body) {
        byte[] out = new byte[body.length + 1];
        out[0] = (byte) tag;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }
}
