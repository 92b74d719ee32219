package dev.imprint.pki.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.imprint.pki.validation.crl.CrlCache;
import dev.imprint.testkit.FuzzFrames;
import dev.imprint.testkit.TestPki;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The validator on arbitrary chains: up to eight DER blobs ({@link FuzzFrames}). Whatever they
 * are, it answers a verdict with a reason code (never an exception, never INTERNAL_ERROR, which
 * means an exception escaped a step), and it accepts only a path that ends at the configured anchor.
 */
class ValidatorFuzzTest {
    static final TestPki PKI = TestPki.create();
    static final CertificateValidator VALIDATOR;

    static {
        CrlCache crls = CrlCache.builder().fetch(false).build();
        try {
            PKI.revokedDevice("dev-revoked");
            crls.add(PKI.crl());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        VALIDATOR = CertificateValidator.builder().trustAnchor(PKI.root())
                .revocation(crls).build();
    }

    /** Real chains, made now: good, with the root, deep, expired, wrong EKU, foreign, revoked, leaf alone. */
    static Stream<byte[]> seeds() {
        TestPki foreign = TestPki.foreignWithSameSubjects(PKI);
        TestPki.Issued good = PKI.device("dev-1");
        List<List<X509Certificate>> chains = List.of(
                good.chain(),
                List.of(good.cert(), PKI.intermediate(), PKI.root()),
                List.of(good.cert()),
                PKI.deviceWithDeepChain("dev-deep", 3).chain(),
                PKI.expiredDevice("dev-old").chain(),
                PKI.deviceWithWrongEku("dev-eku").chain(),
                PKI.deviceViolatingNameConstraints("dev-nc").chain(),
                PKI.devicePastPathLen("dev-pathlen").chain(),
                PKI.deviceWithUnknownCriticalExtension("dev-crit").chain(),
                PKI.revokedDevice("dev-revoked-2").chain(),
                foreign.device("dev-1").chain());
        return chains.stream().map(ValidatorFuzzTest::frames);
    }

    @MethodSource("seeds")
    @FuzzTest
    void validator_answers_a_verdict_and_accepts_only_paths_to_the_anchor(byte[] data) {
        List<byte[]> der = FuzzFrames.split(data, 8);
        if (der.isEmpty()) {
            return;
        }
        Verdict v = VALIDATOR.validate(ValidationRequest.builder().chainDer(der)
                .possession(PossessionProof.tlsHandshake()).requiredEku(Eku.CLIENT_AUTH).build());
        assertThat(v).isNotNull();
        if (v instanceof Verdict.Refused r) {
            assertThat(r.reason()).as(r.detail()).isNotNull().isNotEqualTo(ReasonCode.INTERNAL_ERROR);
            return;
        }
        Verdict.Accepted a = (Verdict.Accepted) v;
        assertThat(a.path().get(a.path().size() - 1)).as("accepted path ends at the anchor").isEqualTo(PKI.root());
        for (int i = 0; i + 1 < a.path().size(); i++) {
            assertThat(a.path().get(i).getIssuerX500Principal()).isEqualTo(a.path().get(i + 1).getSubjectX500Principal());
        }
    }

    static byte[] frames(List<X509Certificate> chain) {
        List<byte[]> der = new ArrayList<>();
        for (X509Certificate c : chain) {
            try {
                der.add(c.getEncoded());
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
        return FuzzFrames.join(der);
    }
}
