package dev.imprint.ca;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A certificate with its private key, as handed to a station, an admin or a server endpoint.
 *
 * @param chain the issuing CA first, the root last (the certificate itself is not in it)
 */
public record Credential(X509Certificate certificate, PrivateKey key, List<X509Certificate> chain) {
    public Credential {
        chain = List.copyOf(chain);
    }

    /** The certificate followed by its chain, as a TLS server or client presents it. */
    public List<X509Certificate> fullChain() {
        var all = new java.util.ArrayList<X509Certificate>(chain.size() + 1);
        all.add(certificate);
        all.addAll(chain);
        return List.copyOf(all);
    }
}
