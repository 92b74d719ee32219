package dev.imprint.ca.est;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * RFC 7030 request handling, independent of the transport. Each method returns the complete
 * response (status, content type, headers, body); refusals are responses with the reason
 * code in a JSON body, never exceptions.
 *
 * <p>Content types: cacerts and enroll responses are {@code application/pkcs7-mime;
 * smime-type=certs-only} (certs-only CMS, base64, {@code Content-Transfer-Encoding: base64});
 * csrattrs is {@code application/csrattrs} (base64). Request bodies are base64 PKCS#10
 * ({@code application/pkcs10}); whitespace is ignored, raw DER is accepted too.
 */
public interface EstService {

    /** The issuing CA certificates and the root, as certs-only CMS. */
    EstResponse cacerts();

    /** The attributes a CSR should carry (challenge-free; the key type OIDs we accept). */
    EstResponse csrattrs();

    /**
     * A station enrolls a device: the TLS peer must present a station certificate (service CA,
     * SAN URI {@code urn:imprint:station:NAME}) of a station that is not revoked.
     *
     * @param peerChain the TLS client's certificate chain, leaf first; empty when none
     */
    EstResponse simpleEnroll(byte[] body, List<X509Certificate> peerChain);

    /**
     * A device renews: the TLS peer must present its current certificate (manufacturing or
     * operational CA, valid, unrevoked) and the CSR must request the same device ID. The new
     * certificate comes from the operational CA.
     */
    EstResponse simpleReenroll(byte[] body, List<X509Certificate> peerChain);

    /**
     * {@link #simpleEnroll} without blocking: completes once the certificate is recorded (group
     * commit). Refusals complete normally with an error response.
     */
    CompletableFuture<EstResponse> simpleEnrollAsync(byte[] body, List<X509Certificate> peerChain);

    /** {@link #simpleReenroll} without blocking; see {@link #simpleEnrollAsync}. */
    CompletableFuture<EstResponse> simpleReenrollAsync(byte[] body, List<X509Certificate> peerChain);
}
