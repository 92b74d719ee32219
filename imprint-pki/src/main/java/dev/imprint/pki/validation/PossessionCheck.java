package dev.imprint.pki.validation;

import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import dev.imprint.pki.CryptoProviders;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/** Step 1's possession half: the presenter holds the leaf's private key. */
final class PossessionCheck {
    private static final Verdict.Step STEP = Verdict.Step.WELL_FORMED_AND_POSSESSION;

    private PossessionCheck() {}

    static void check(PossessionProof proof, X509Certificate leaf) {
        if (proof == null) {
            throw new Refusal(STEP, ReasonCode.NO_POSSESSION_PROOF, "no proof of possession given");
        }
        if (proof instanceof PossessionProof.TlsHandshake) {
            return; // the TLS engine verified CertificateVerify with this leaf's key
        }
        if (proof instanceof PossessionProof.Csr csr) {
            checkCsr(csr.der(), leaf);
        } else if (proof instanceof PossessionProof.Challenge c) {
            checkChallenge(c, leaf);
        }
    }

    private static void checkCsr(byte[] der, X509Certificate leaf) {
        PKCS10CertificationRequest csr;
        try {
            csr = new PKCS10CertificationRequest(der);
        } catch (Exception e) {
            throw new Refusal(STEP, ReasonCode.MALFORMED, "CSR does not parse: " + e.getMessage());
        }
        byte[] csrKey;
        try {
            csrKey = csr.getSubjectPublicKeyInfo().getEncoded();
        } catch (Exception e) {
            throw new Refusal(STEP, ReasonCode.MALFORMED, "CSR key does not encode");
        }
        if (!Arrays.equals(csrKey, leaf.getPublicKey().getEncoded())) {
            throw new Refusal(STEP, ReasonCode.BAD_POSSESSION_SIGNATURE, "CSR public key differs from the certificate's");
        }
        boolean ok;
        try {
            ok = csr.isSignatureValid(new JcaContentVerifierProviderBuilder()
                    .setProvider(CryptoProviders.bouncyCastle()).build(csr.getSubjectPublicKeyInfo()));
        } catch (Exception e) {
            ok = false;
        }
        if (!ok) {
            throw new Refusal(STEP, ReasonCode.BAD_POSSESSION_SIGNATURE, "CSR signature does not verify");
        }
    }

    private static void checkChallenge(PossessionProof.Challenge c, X509Certificate leaf) {
        Signature sig;
        try {
            sig = Signature.getInstance(c.algorithm());
        } catch (NoSuchAlgorithmException e) {
            throw new Refusal(STEP, ReasonCode.UNSUPPORTED_ALGORITHM, "challenge algorithm " + c.algorithm());
        }
        boolean ok;
        try {
            sig.initVerify(leaf.getPublicKey());
            sig.update(c.data());
            ok = sig.verify(c.signature());
        } catch (GeneralSecurityException | RuntimeException e) {
            ok = false;
        }
        if (!ok) {
            throw new Refusal(STEP, ReasonCode.BAD_POSSESSION_SIGNATURE, "challenge signature does not verify with the leaf's key");
        }
    }
}
