package dev.imprint.ca.hierarchy;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.util.Optional;

/** Where CA private keys live: encrypted files or a PKCS#11 token. */
public interface KeyVault {

    /** A fresh EC key pair on {@code curve} ("secp256r1", "secp384r1"), not yet stored. */
    KeyPair generate(String curve);

    /**
     * Stores the key of CA {@code name} together with its certificate.
     *
     * @throws dev.imprint.ca.CaException CA_KEY_UNREADABLE when it cannot be written
     */
    void store(String name, PrivateKey key, X509Certificate certificate);

    /**
     * The key of CA {@code name}, empty when none was stored.
     *
     * @throws dev.imprint.ca.CaException CA_KEY_UNREADABLE on a wrong passphrase, PIN or a corrupt file
     */
    Optional<PrivateKey> load(String name);

    /** The provider that signs with this vault's keys. */
    Provider signingProvider();
}
