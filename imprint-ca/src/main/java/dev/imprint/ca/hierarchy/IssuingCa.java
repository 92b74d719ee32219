package dev.imprint.ca.hierarchy;

import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * An issuing CA ready to sign: its certificate, its key and the provider that signs with it.
 *
 * @param chain this CA's certificate followed by the root
 */
public record IssuingCa(String name, X509Certificate certificate, PrivateKey key, Provider provider,
                        List<X509Certificate> chain) {

    /** The JCA signature algorithm for this CA's key. */
    public String signatureAlgorithm() {
        return SignatureAlgorithms.forKey(certificate.getPublicKey());
    }
}
