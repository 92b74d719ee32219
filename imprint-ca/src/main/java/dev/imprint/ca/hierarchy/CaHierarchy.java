package dev.imprint.ca.hierarchy;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The CA certificates: a root and the issuing CAs "manufacturing", "operational" and "service".
 * Certificates are stored as PEM under the PKI folder ({@code root.crt}, {@code <ca>.crt}).
 */
public interface CaHierarchy {
    String MANUFACTURING = "manufacturing";
    String OPERATIONAL = "operational";
    String SERVICE = "service";

    X509Certificate root();

    /** The root certificate file devices and tools trust ({@code <pkiDir>/root.crt}). */
    Path rootFile();

    /**
     * An issuing CA's certificate.
     *
     * @throws dev.imprint.ca.CaException UNKNOWN_CA when there is no such issuing CA
     */
    X509Certificate issuer(String name);

    /** The issuing CA's certificate followed by the root. @throws dev.imprint.ca.CaException UNKNOWN_CA */
    List<X509Certificate> chain(String name);

    /** The issuing CA names, in a stable order. */
    List<String> names();
}
