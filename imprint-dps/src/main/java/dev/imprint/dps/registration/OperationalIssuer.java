package dev.imprint.dps.registration;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Issues the short-lived operational certificate for a registration that carried a CSR
 * (in Imprint: the CA's {@code Authority.issue} with the operational CA).
 */
@FunctionalInterface
public interface OperationalIssuer {

    /**
     * @param current the device's validated certificate (the CSR must carry the same identity)
     * @param csrDer the PKCS#10 request
     * @return the issued certificate first, then its chain up to the root
     * @throws IssuanceRefused when the CA refuses, with its reason code
     */
    List<X509Certificate> issue(X509Certificate current, byte[] csrDer);

    /** The CA refused; {@code code} is its stable reason code (CSR_MALFORMED, ID_NOT_ALLOWED ...). */
    final class IssuanceRefused extends RuntimeException {
        private final String code;

        public IssuanceRefused(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }
}
