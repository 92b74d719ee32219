package dev.imprint.ca.issuance;

import dev.imprint.ca.CaException;
import dev.imprint.ca.CaException.Reason;
import dev.imprint.pki.CryptoProviders;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.HashMap;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Verifies the CSR's proof of possession on the fast provider (ACCP), with per-thread
 * {@link Signature} and {@link KeyFactory} instances so the hot path allocates little.
 */
public final class CsrSignatures {
    private static final Map<ASN1ObjectIdentifier, String> ALGORITHMS = Map.of(
            X9ObjectIdentifiers.ecdsa_with_SHA256, "SHA256withECDSA",
            X9ObjectIdentifiers.ecdsa_with_SHA384, "SHA384withECDSA",
            X9ObjectIdentifiers.ecdsa_with_SHA512, "SHA512withECDSA",
            EdECObjectIdentifiers.id_Ed25519, "Ed25519",
            PKCSObjectIdentifiers.sha256WithRSAEncryption, "SHA256withRSA",
            PKCSObjectIdentifiers.sha384WithRSAEncryption, "SHA384withRSA",
            PKCSObjectIdentifiers.sha512WithRSAEncryption, "SHA512withRSA");
    private static final ThreadLocal<Map<String, Verifier>> VERIFIERS = ThreadLocal.withInitial(HashMap::new);

    private CsrSignatures() {}

    /** @throws CaException CSR_BAD_SIGNATURE, KEY_WEAK (SHA-1) or KEY_UNSUPPORTED */
    public static void verify(ParsedCsr csr, String keyAlgorithm) {
        CertificationRequest req = csr.request();
        ASN1ObjectIdentifier sigOid = req.getSignatureAlgorithm().getAlgorithm();
        String alg = ALGORITHMS.get(sigOid);
        if (alg == null) {
            if (sigOid.equals(X9ObjectIdentifiers.ecdsa_with_SHA1) || sigOid.equals(PKCSObjectIdentifiers.sha1WithRSAEncryption)) {
                throw new CaException(Reason.KEY_WEAK, "SHA-1 CSR signatures are not accepted");
            }
            throw new CaException(Reason.KEY_UNSUPPORTED, "CSR signature algorithm " + sigOid + " is not accepted");
        }
        boolean ok;
        try {
            Verifier v = verifier(keyAlgorithm, alg);
            PublicKey key = v.keys().generatePublic(new X509EncodedKeySpec(csr.publicKey().getEncoded(ASN1Encoding.DER)));
            Signature s = v.signature();
            s.initVerify(key);
            s.update(req.getCertificationRequestInfo().getEncoded(ASN1Encoding.DER));
            ok = s.verify(req.getSignature().getOctets());
        } catch (GeneralSecurityException | java.io.IOException | RuntimeException e) {
            throw new CaException(Reason.CSR_BAD_SIGNATURE, "the CSR signature does not verify: " + e.getMessage(), e);
        }
        if (!ok) {
            throw new CaException(Reason.CSR_BAD_SIGNATURE, "the CSR signature does not verify");
        }
    }

    /** A verifier: key factory and signature from the same provider (ACCP, else Bouncy Castle). */
    private record Verifier(KeyFactory keys, Signature signature) {}

    private static Verifier verifier(String keyAlg, String sigAlg) throws NoSuchAlgorithmException {
        Map<String, Verifier> m = VERIFIERS.get();
        String k = keyAlg + "/" + sigAlg;
        Verifier v = m.get(k);
        if (v == null) {
            try {
                v = new Verifier(KeyFactory.getInstance(keyAlg, CryptoProviders.fast()), Signature.getInstance(sigAlg, CryptoProviders.fast()));
            } catch (NoSuchAlgorithmException e) {
                v = new Verifier(KeyFactory.getInstance(keyAlg, CryptoProviders.bouncyCastle()),
                        Signature.getInstance(sigAlg, CryptoProviders.bouncyCastle()));
            }
            m.put(k, v);
        }
        return v;
    }
}
