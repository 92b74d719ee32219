package dev.imprint.device.cloud;

import dev.imprint.device.DeviceKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A key and the certificate chain that carries it (leaf first): the factory identity, or an
 * operational one from DPS or EST.
 */
public record Identity(DeviceKey key, List<X509Certificate> chain) {
    public Identity {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("an identity needs a certificate");
        }
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    public boolean expiredAt(Instant t) {
        return !t.isBefore(notAfter());
    }

    public String serialHex() {
        return leaf().getSerialNumber().toString(16);
    }
}
