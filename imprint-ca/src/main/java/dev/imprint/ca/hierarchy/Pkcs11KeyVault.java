package dev.imprint.ca.hierarchy;

import dev.imprint.ca.CaException;
import dev.imprint.ca.Pkcs11Settings;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Optional;

/**
 * CA keys inside a PKCS#11 token through the JDK's SunPKCS11 provider. Keys are generated in
 * the token and never leave it; each is stored as a token object under alias
 * {@code imprint-<name>} with its certificate.
 */
public final class Pkcs11KeyVault implements KeyVault {
    private final Provider provider;
    private final KeyStore keyStore;

    public Pkcs11KeyVault(Pkcs11Settings settings) {
        try {
            Provider base = Security.getProvider("SunPKCS11");
            if (base == null) {
                throw new CaException(CaException.Reason.INTERNAL_ERROR, "the JDK has no SunPKCS11 provider");
            }
            provider = base.configure(settings.configFile().toString());
            Security.addProvider(provider);
            keyStore = KeyStore.getInstance("PKCS11", provider);
            keyStore.load(null, settings.pin());
        } catch (GeneralSecurityException | java.io.IOException | java.security.InvalidParameterException e) {
            throw new CaException(CaException.Reason.CA_KEY_UNREADABLE,
                    "cannot open PKCS#11 token with " + settings.configFile() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public KeyPair generate(String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", provider);
            g.initialize(new ECGenParameterSpec(curve));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Reason.INTERNAL_ERROR, "token cannot generate a " + curve + " key", e);
        }
    }

    @Override
    public void store(String name, PrivateKey key, X509Certificate certificate) {
        try {
            // SunPKCS11 turns the session key into a token object when it is stored with its certificate.
            keyStore.setKeyEntry(alias(name), key, null, new Certificate[] {certificate});
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Reason.CA_KEY_UNREADABLE, "cannot store CA key " + name + " in the token", e);
        }
    }

    @Override
    public Optional<PrivateKey> load(String name) {
        try {
            Key k = keyStore.getKey(alias(name), null);
            return Optional.ofNullable((PrivateKey) k);
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Reason.CA_KEY_UNREADABLE, "cannot read CA key " + name + " from the token", e);
        }
    }

    @Override
    public Provider signingProvider() {
        return provider;
    }

    private static String alias(String name) {
        return "imprint-" + name;
    }
}
