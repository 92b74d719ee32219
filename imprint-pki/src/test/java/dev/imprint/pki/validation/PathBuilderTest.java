package dev.imprint.pki.validation;

import static dev.imprint.pki.validation.CertificateValidatorTest.accepted;
import static dev.imprint.pki.validation.CertificateValidatorTest.refused;
import static dev.imprint.pki.validation.PathCheckerTest.ca;
import static dev.imprint.pki.validation.PathCheckerTest.cert;
import static dev.imprint.pki.validation.PathCheckerTest.leaf;
import static dev.imprint.pki.validation.PathCheckerTest.request;
import static dev.imprint.pki.validation.PathCheckerTest.trusting;

import dev.imprint.pki.KeyAlgorithm;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Path building: loops end, and when no path passes, the refusal names the most telling failure. */
class PathBuilderTest {
    static KeyPair aKey;
    static KeyPair bKey;

    @BeforeAll
    static void keys() {
        PathCheckerTest.keys();
        aKey = KeyAlgorithm.EC_P256.generate();
        bKey = KeyAlgorithm.EC_P256.generate();
    }

    @Test
    void a_cross_signed_loop_ends_without_a_path() {
        // A is signed by B and B by A; neither leads to the anchor
        X509Certificate a = ca("CN=Loop A", aKey, "CN=Loop B", bKey, -1);
        X509Certificate b = ca("CN=Loop B", bKey, "CN=Loop A", aKey, -1);
        X509Certificate l = leaf("dev-loop", a, aKey);
        refused(trusting(PathCheckerTest.root).validate(request(l, a, b).build()), ReasonCode.UNKNOWN_ISSUER, Verdict.Step.PATH);
        // the same subject and key under another serial is the same CA: still a loop
        X509Certificate a2 = ca("CN=Loop A", aKey, "CN=Loop B", bKey, -1);
        refused(trusting(PathCheckerTest.root).validate(request(l, a, b, a2).build()), ReasonCode.UNKNOWN_ISSUER, Verdict.Step.PATH);
    }

    @Test
    void a_path_that_fails_its_checks_is_named_before_a_bad_signature() {
        KeyPair wrong = KeyAlgorithm.EC_P256.generate();
        X509Certificate good = PathCheckerTest.mid(-1);
        // one candidate of the issuer's name signed by another key, one expired
        X509Certificate forged = ca("CN=PC Mid", wrong, "CN=PC Root", wrong, -1);
        X509Certificate expired = cert("CN=PC Mid", PathCheckerTest.midKey, "CN=PC Root", PathCheckerTest.rootKey.getPrivate(),
                Instant.now().minus(Duration.ofDays(60)), Instant.now().minus(Duration.ofDays(1)),
                PathCheckerTest.bc(true, -1), PathCheckerTest.ku(KeyUsage.keyCertSign), PathCheckerTest.ski(PathCheckerTest.midKey));
        X509Certificate l = leaf("dev-p", good, PathCheckerTest.midKey);
        refused(trusting(PathCheckerTest.root).validate(request(l, forged, expired).build()), ReasonCode.EXPIRED, Verdict.Step.PATH);
        refused(trusting(PathCheckerTest.root).validate(request(l, expired, forged).build()), ReasonCode.EXPIRED, Verdict.Step.PATH);
        // the forged one alone: the leaf's signature does not verify with it
        X509Certificate lf = leaf("dev-p", good, PathCheckerTest.midKey);
        refused(trusting(PathCheckerTest.root).validate(request(lf, forged).build()), ReasonCode.BAD_SIGNATURE, Verdict.Step.PATH);
        // and with the good one beside them, the good path is found
        accepted(trusting(PathCheckerTest.root).validate(request(l, forged, expired, good).build()));
    }

    @Test
    void too_deep_is_named_before_a_bad_signature() {
        KeyPair k1 = KeyAlgorithm.EC_P256.generate();
        KeyPair k2 = KeyAlgorithm.EC_P256.generate();
        X509Certificate m1 = PathCheckerTest.mid(-1);
        X509Certificate m2 = ca("CN=Deep 2", k1, "CN=PC Mid", PathCheckerTest.midKey, -1);
        X509Certificate m3 = ca("CN=Deep 3", k2, "CN=Deep 2", k1, -1);
        X509Certificate forged = ca("CN=Deep 3", KeyAlgorithm.EC_P256.generate(), "CN=Deep 2", k1, -1);
        X509Certificate l = leaf("dev-q", m3, k2);
        refused(trusting(PathCheckerTest.root).validate(request(l, forged, m3, m2, m1).maxDepth(2).build()),
                ReasonCode.CHAIN_TOO_DEEP, Verdict.Step.PATH);
        accepted(trusting(PathCheckerTest.root).validate(request(l, forged, m3, m2, m1).maxDepth(3).build()));
    }

    @Test
    void a_self_issued_intermediate_does_not_count_toward_depth() {
        // key rollover: the root's name with a new key, signed by the old key
        X509Certificate rollover = ca("CN=PC Root", PathCheckerTest.midKey, "CN=PC Root", PathCheckerTest.rootKey, -1);
        X509Certificate l = cert("CN=dev-u", PathCheckerTest.leafKey, "CN=PC Root", PathCheckerTest.midKey.getPrivate(),
                Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(1)),
                PathCheckerTest.ku(KeyUsage.digitalSignature), PathCheckerTest.san(PathCheckerTest.uri("dev-u")));
        accepted(trusting(PathCheckerTest.root).validate(request(l, rollover).maxDepth(0).build()));
        X509Certificate m = PathCheckerTest.mid(-1);
        refused(trusting(PathCheckerTest.root).validate(request(leaf("dev-u", m, PathCheckerTest.midKey), m).maxDepth(0).build()),
                ReasonCode.CHAIN_TOO_DEEP, Verdict.Step.PATH);
    }

    @Test
    void a_chain_given_as_der_without_a_path_is_unknown_issuer() throws Exception {
        X509Certificate stranger = ca("CN=Stranger", aKey, "CN=Stranger", aKey, -1);
        X509Certificate l = leaf("dev-v", stranger, aKey);
        refused(trusting(PathCheckerTest.root).validate(ValidationRequest.builder()
                        .chainDer(java.util.List.of(l.getEncoded(), stranger.getEncoded()))
                        .possession(PossessionProof.tlsHandshake()).build()),
                ReasonCode.UNKNOWN_ISSUER, Verdict.Step.PATH);
    }
}
