package dev.imprint.pki.validation;

import java.security.cert.X509Certificate;
import java.util.Set;

/**
 * Extension lookups that are cheap when the extension is absent. The JDK's
 * {@code X509Certificate.getExtensionValue} signals a missing known extension by throwing and
 * catching two exceptions internally, which dominated validation time; asking the OID sets first
 * answers the same without them.
 */
public final class CertExtensions {
    private CertExtensions() {}

    /** The DER-encoded extension value (an OCTET STRING) as {@code getExtensionValue} returns it, or null when absent. */
    public static byte[] value(X509Certificate cert, String oid) {
        return has(cert, oid) ? cert.getExtensionValue(oid) : null;
    }

    /** Whether the certificate carries the extension, critical or not. */
    public static boolean has(X509Certificate cert, String oid) {
        Set<String> critical = cert.getCriticalExtensionOIDs();
        if (critical != null && critical.contains(oid)) {
            return true;
        }
        Set<String> other = cert.getNonCriticalExtensionOIDs();
        return other != null && other.contains(oid);
    }
}
