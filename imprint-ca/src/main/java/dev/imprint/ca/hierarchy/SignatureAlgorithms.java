package dev.imprint.ca.hierarchy;

import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;

/** The signature algorithm a CA uses for its key type. */
public final class SignatureAlgorithms {
    private SignatureAlgorithms() {}

    public static String forKey(PublicKey key) {
        if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            return bits > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
        }
        if ("RSA".equals(key.getAlgorithm())) {
            return "SHA256withRSA";
        }
        if ("Ed25519".equals(key.getAlgorithm()) || "EdDSA".equals(key.getAlgorithm())) {
            return "Ed25519";
        }
        throw new IllegalArgumentException("no signature algorithm for " + key.getAlgorithm());
    }
}
