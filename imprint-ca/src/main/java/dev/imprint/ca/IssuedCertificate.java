package dev.imprint.ca;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A certificate that was issued and durably recorded.
 *
 * @param serialHex lower-case hex serial
 * @param ca the issuing CA's name
 * @param deviceId the identity it carries
 * @param der the certificate's DER encoding
 * @param chain the issuing CA first, root last
 */
public record IssuedCertificate(String serialHex, String ca, String deviceId, byte[] der, List<X509Certificate> chain) {

    /** Parses the DER (done on demand: the hot path does not need a JDK certificate object). */
    public X509Certificate certificate() {
        try {
            return dev.imprint.pki.Pem.certificate(der);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("issued certificate does not parse", e);
        }
    }
}
