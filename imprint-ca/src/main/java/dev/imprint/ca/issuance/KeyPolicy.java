package dev.imprint.ca.issuance;

import dev.imprint.ca.CaException;
import dev.imprint.ca.CaException.Reason;
import java.io.IOException;
import java.math.BigInteger;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/** Which device keys are accepted: EC P-256 and P-384, Ed25519, RSA of 2048 to 8192 bits. */
public final class KeyPolicy {
    private KeyPolicy() {}

    /** The JCA key algorithm of an accepted key. @throws CaException KEY_WEAK or KEY_UNSUPPORTED */
    public static String check(SubjectPublicKeyInfo spki) {
        ASN1ObjectIdentifier alg = spki.getAlgorithm().getAlgorithm();
        if (X9ObjectIdentifiers.id_ecPublicKey.equals(alg)) {
            var params = spki.getAlgorithm().getParameters();
            if (!(params instanceof ASN1ObjectIdentifier curve)) {
                throw new CaException(Reason.KEY_UNSUPPORTED, "EC keys must name their curve (P-256 or P-384)");
            }
            if (!SECObjectIdentifiers.secp256r1.equals(curve) && !SECObjectIdentifiers.secp384r1.equals(curve)) {
                throw new CaException(Reason.KEY_UNSUPPORTED, "EC curve " + curve + " is not accepted (P-256 or P-384)");
            }
            return "EC";
        }
        if (EdECObjectIdentifiers.id_Ed25519.equals(alg)) {
            return "Ed25519";
        }
        if (PKCSObjectIdentifiers.rsaEncryption.equals(alg)) {
            RSAPublicKey rsa;
            try {
                rsa = RSAPublicKey.getInstance(spki.parsePublicKey());
            } catch (IOException | RuntimeException e) {
                throw new CaException(Reason.CSR_MALFORMED, "unreadable RSA public key", e);
            }
            int bits = rsa.getModulus().bitLength();
            BigInteger e = rsa.getPublicExponent();
            if (bits < 2048) {
                throw new CaException(Reason.KEY_WEAK, "RSA key of " + bits + " bits; at least 2048 required");
            }
            if (bits > 8192) {
                throw new CaException(Reason.KEY_UNSUPPORTED, "RSA key of " + bits + " bits; at most 8192 accepted");
            }
            if (!e.testBit(0) || e.compareTo(BigInteger.valueOf(65537)) < 0) {
                throw new CaException(Reason.KEY_WEAK, "RSA public exponent " + e + " is not accepted (odd, >= 65537)");
            }
            return "RSA";
        }
        throw new CaException(Reason.KEY_UNSUPPORTED, "key algorithm " + alg + " is not accepted");
    }
}
