package dev.imprint.device;

import dev.imprint.pki.CryptoProviders;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;

/**
 * The device's key pair. The private key is used here only to sign (the CSR, the possession
 * proof, the TLS handshakes) and never leaves this object except to the device's own state folder.
 * A PKCS#11 token key ({@link Pkcs11Keys}) is a handle: signing happens in the token.
 */
public final class DeviceKey {
    public static final String SIGNATURE = "SHA256withECDSA";

    private final KeyPair pair;

    private DeviceKey(KeyPair pair) {
        this.pair = pair;
    }

    /** A fresh EC P-256 key from the fast provider (ACCP, else Bouncy Castle). */
    public static DeviceKey generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", CryptoProviders.fast());
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return new DeviceKey(g.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an EC P-256 key", e);
        }
    }

    /** Wraps an existing pair (loaded from the state folder). */
    public static DeviceKey of(KeyPair pair) {
        return new DeviceKey(pair);
    }

    public PublicKey publicKey() {
        return pair.getPublic();
    }

    /**
     * The private key object, for TLS client authentication and signing in this process. For a
     * PKCS#11 token key this is a handle: the key material stays in the token.
     */
    public PrivateKey privateKey() {
        return pair.getPrivate();
    }

    /** Whether the key material is in memory (a software key); false for a token key. */
    public boolean inMemory() {
        return pair.getPrivate().getEncoded() != null;
    }

    /**
     * The private key as PKCS#8, for a {@link DeviceState} implementation to keep in the
     * device's own storage (a simulated device's "flash"). Never send it anywhere.
     */
    public PrivateKey privateKeyForStorage() {
        return pair.getPrivate();
    }

    /** ECDSA with SHA-256 over {@code data}, DER-encoded signature. */
    public byte[] sign(byte[] data) {
        try {
            Signature s = inMemory() ? Signature.getInstance(SIGNATURE, CryptoProviders.fast()) : Signature.getInstance(SIGNATURE);
            s.initSign(pair.getPrivate());
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing with the device key failed", e);
        }
    }

    /** Whether {@code other} is this key's public half (the check before installing a certificate). */
    public boolean matches(PublicKey other) {
        return other != null && java.util.Arrays.equals(other.getEncoded(), pair.getPublic().getEncoded());
    }
}
