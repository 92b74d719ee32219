package dev.imprint.device;

import dev.imprint.pki.CryptoProviders;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;

/**
 * The proof that the device holding the installed certificate holds its key: a signature over
 * a domain label, the station's fresh nonce and the SHA-256 of the certificate. The label
 * keeps the signature from being usable as anything else; the certificate hash binds the
 * proof to the certificate just installed.
 */
public final class PossessionProof {
    public static final int NONCE_BYTES = 32;
    private static final byte[] LABEL = "imprint-factory-pop-v1\0".getBytes(StandardCharsets.US_ASCII);

    private PossessionProof() {}

    public static byte[] message(byte[] nonce, byte[] certDer) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(certDer);
            byte[] m = new byte[LABEL.length + nonce.length + h.length];
            System.arraycopy(LABEL, 0, m, 0, LABEL.length);
            System.arraycopy(nonce, 0, m, LABEL.length, nonce.length);
            System.arraycopy(h, 0, m, LABEL.length + nonce.length, h.length);
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] sign(DeviceKey key, byte[] nonce, byte[] certDer) {
        return key.sign(message(nonce, certDer));
    }

    /** False for a wrong, malformed or foreign signature; never throws for bad input. */
    public static boolean verify(PublicKey key, byte[] nonce, byte[] certDer, byte[] signature) {
        try {
            Signature s = Signature.getInstance(DeviceKey.SIGNATURE, CryptoProviders.fast());
            s.initVerify(key);
            s.update(message(nonce, certDer));
            return s.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
