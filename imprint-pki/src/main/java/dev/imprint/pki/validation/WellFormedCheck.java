package dev.imprint.pki.validation;

import java.io.ByteArrayInputStream;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Step 1's structural half: the chain parses and its keys are of accepted kinds and sizes. */
final class WellFormedCheck {
    /** Field sizes of the curves we accept: P-256, P-384, P-521. */
    private static final Set<Integer> EC_FIELD_BITS = Set.of(256, 384, 521);

    private WellFormedCheck() {}

    static List<X509Certificate> parse(ValidationRequest request) {
        List<X509Certificate> chain = request.chain();
        if (chain == null) {
            chain = new ArrayList<>();
            try {
                CertificateFactory cf = CertificateFactory.getInstance("X.509");
                for (byte[] der : request.chainDer()) {
                    chain.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
                }
            } catch (CertificateException | RuntimeException e) {
                throw new Refusal(Verdict.Step.WELL_FORMED_AND_POSSESSION, ReasonCode.MALFORMED,
                        "certificate does not parse: " + e.getMessage());
            }
        }
        if (chain.isEmpty()) {
            throw new Refusal(Verdict.Step.WELL_FORMED_AND_POSSESSION, ReasonCode.MALFORMED, "empty chain");
        }
        return chain;
    }

    /** Refuses keys that are too weak or of unsupported kinds; {@code minRsaBits} from the validator's config. */
    static void checkKey(X509Certificate cert, int minRsaBits, Verdict.Step step) {
        PublicKey key = cert.getPublicKey();
        String alg = key.getAlgorithm();
        if (key instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            if (bits < minRsaBits) {
                throw new Refusal(step, ReasonCode.WEAK_KEY, "RSA key of " + bits + " bits < " + minRsaBits
                        + " in " + CertificateValidator.describe(cert));
            }
        } else if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            if (!EC_FIELD_BITS.contains(bits)) {
                throw new Refusal(step, ReasonCode.WEAK_KEY, "EC curve of " + bits + " bits not accepted in "
                        + CertificateValidator.describe(cert));
            }
        } else if (!alg.equals("Ed25519") && !alg.equals("EdDSA") && !alg.equals("Ed448")
                && !alg.equals("RSASSA-PSS") && !alg.equals("DSA")) {
            throw new Refusal(step, ReasonCode.UNSUPPORTED_ALGORITHM, "key algorithm " + alg + " in "
                    + CertificateValidator.describe(cert));
        }
    }
}
