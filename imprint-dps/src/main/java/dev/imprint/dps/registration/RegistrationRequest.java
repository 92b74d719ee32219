package dev.imprint.dps.registration;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * One registration as a transport received it.
 *
 * @param registrationId the ID in the URL (HTTPS) or username (MQTT)
 * @param bodyRegistrationId the {@code registrationId} of the body, null when absent
 * @param payload the device's payload as JSON (already unwrapped when sent as a string), or null
 * @param csrDer the PKCS#10 request of the body's {@code csr}, or null
 * @param peerChain the TLS client's chain, leaf first (empty when it sent none)
 */
public record RegistrationRequest(String registrationId, String bodyRegistrationId, JsonNode payload, byte[] csrDer,
        List<X509Certificate> peerChain) {
    public RegistrationRequest {
        peerChain = peerChain == null ? List.of() : List.copyOf(peerChain);
    }
}
