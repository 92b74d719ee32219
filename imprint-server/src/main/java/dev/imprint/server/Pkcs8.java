package dev.imprint.server;

import java.security.PrivateKey;

/**
 * Private keys as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}): the one form that OpenSSL,
 * curl, Netty and the JDK all read, and that always carries the curve (a SEC1 {@code EC PRIVATE
 * KEY} written from a native provider's key may lack it).
 */
public final class Pkcs8 {
    private Pkcs8() {}

    public static String pem(PrivateKey key) {
        return dev.imprint.pki.Pem.write(key);
    }
}
