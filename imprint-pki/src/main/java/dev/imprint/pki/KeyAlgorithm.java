package dev.imprint.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/** The key types Imprint issues to and accepts from devices, with their signature algorithm. */
public enum KeyAlgorithm {
    EC_P256("EC", "secp256r1", 256, "SHA256withECDSA"),
    EC_P384("EC", "secp384r1", 384, "SHA384withECDSA"),
    ED25519("Ed25519", null, 255, "Ed25519"),
    RSA_2048("RSA", null, 2048, "SHA256withRSA"),
    RSA_3072("RSA", null, 3072, "SHA256withRSA");

    private final String jcaName;
    private final String curve;
    private final int bits;
    private final String signatureAlgorithm;

    KeyAlgorithm(String jcaName, String curve, int bits, String signatureAlgorithm) {
        this.jcaName = jcaName;
        this.curve = curve;
        this.bits = bits;
        this.signatureAlgorithm = signatureAlgorithm;
    }

    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    public KeyPair generate() {
        try {
            KeyPairGenerator g;
            if (this == ED25519) {
                g = KeyPairGenerator.getInstance("Ed25519", CryptoProviders.bouncyCastle());
            } else {
                g = KeyPairGenerator.getInstance(jcaName, CryptoProviders.fast());
                if (curve != null) {
                    g.initialize(new ECGenParameterSpec(curve));
                } else {
                    g.initialize(bits);
                }
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate " + this + " key", e);
        }
    }
}
