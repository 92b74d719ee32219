package dev.imprint.hub;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * What the AWS endpoint's fleet provisioning asks of the provisioning service and the CA (the
 * hub knows neither: the server wires them in). Blocking: called on the hub's I/O executor.
 */
public interface ThingProvisioner {

    /**
     * An operational certificate for the CSR's key, to the holder of {@code current} (a factory
     * certificate, or the operational certificate it renews): the CA's re-enrollment rules apply,
     * the identity stays the same.
     *
     * @return the issued certificate first, then its chain
     * @throws Refused with the CA's reason code
     */
    List<X509Certificate> certificate(X509Certificate current, byte[] csrDer);

    /**
     * Registers the device through the provisioning service's pipeline (attestation, enrollment,
     * allocation with {@code parameters} as the device's payload, the registry record).
     *
     * @param path the connection's validated path, leaf first
     * @param template the enrollment the device asked for by name; null: the one that covers it
     *     (just-in-time provisioning)
     * @throws Refused with the provisioning service's reason code
     */
    Registered register(List<X509Certificate> path, String template, Map<String, String> parameters);

    /** A registered thing and the configuration its allocation returned (string values, as AWS's model). */
    record Registered(String thingName, Map<String, String> deviceConfiguration) {
        public Registered {
            deviceConfiguration = Map.copyOf(deviceConfiguration);
        }
    }

    /** A refusal: an HTTP-like status for AWS's {@code statusCode}, and a stable reason code. */
    final class Refused extends RuntimeException {
        private final int status;
        private final String code;

        public Refused(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }
    }
}
