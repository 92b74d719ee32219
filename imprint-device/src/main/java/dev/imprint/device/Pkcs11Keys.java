package dev.imprint.device;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Optional;

/**
 * Device keys in a PKCS#11 token through the JDK's SunPKCS11 provider (tested with SoftHSM2): the
 * private key is generated in the token and never leaves it; signing (CSRs, TLS handshakes)
 * happens in the token. A key becomes a persistent token object when {@link #store} gives it its
 * certificate.
 */
public final class Pkcs11Keys {
    private final Provider provider;
    private final KeyStore keyStore;

    private Pkcs11Keys(Provider provider, KeyStore keyStore) {
        this.provider = provider;
        this.keyStore = keyStore;
    }

    /**
     * Opens the token described by a SunPKCS11 configuration file ({@code name}, {@code library},
     * {@code slot} or {@code slotListIndex}) and logs in with {@code pin}.
     *
     * @throws IllegalStateException when the library, the slot or the PIN is wrong
     */
    public static Pkcs11Keys open(Path config, char[] pin) {
        try {
            Provider p = Security.getProvider("SunPKCS11").configure(config.toString());
            Security.addProvider(p);
            KeyStore ks = KeyStore.getInstance("PKCS11", p);
            ks.load(null, pin);
            return new Pkcs11Keys(p, ks);
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            throw new IllegalStateException("cannot open the PKCS#11 token of " + config + ": " + e.getMessage(), e);
        }
    }

    public Provider provider() {
        return provider;
    }

    /** A new EC P-256 key pair generated inside the token. */
    public DeviceKey generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", provider);
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return DeviceKey.of(g.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the token cannot generate an EC P-256 key: " + e.getMessage(), e);
        }
    }

    /** Keeps {@code key} in the token under {@code alias} with its certificate chain (leaf first). */
    public synchronized void store(String alias, DeviceKey key, List<X509Certificate> chain) {
        try {
            keyStore.setKeyEntry(alias, key.privateKey(), null, chain.toArray(Certificate[]::new));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot store key " + alias + " in the token: " + e.getMessage(), e);
        }
    }

    /** The key stored under {@code alias}, with the public key of its certificate. */
    public synchronized Optional<DeviceKey> load(String alias) {
        try {
            if (!keyStore.isKeyEntry(alias)) {
                return Optional.empty();
            }
            PrivateKey priv = (PrivateKey) keyStore.getKey(alias, null);
            Certificate c = keyStore.getCertificate(alias);
            return Optional.of(DeviceKey.of(new KeyPair(c.getPublicKey(), priv)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read key " + alias + " from the token: " + e.getMessage(), e);
        }
    }

    /** The chain stored with {@code alias}, leaf first (empty when absent). */
    public synchronized List<X509Certificate> chain(String alias) {
        try {
            Certificate[] c = keyStore.getCertificateChain(alias);
            return c == null ? List.of() : java.util.Arrays.stream(c).map(x -> (X509Certificate) x).toList();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
