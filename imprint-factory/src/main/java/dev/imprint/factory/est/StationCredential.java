package dev.imprint.factory.est;

import dev.imprint.factory.FactoryException;
import dev.imprint.pki.Pem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * A station folder as written by {@code imprint station create --out DIR}: {@code station.crt},
 * {@code station.key}, {@code chain.pem} (service CA, root). The root at the end of the chain
 * is the only TLS trust anchor the station uses.
 */
public record StationCredential(String name, X509Certificate certificate, PrivateKey key, List<X509Certificate> chain) {
    private static final String URN = "urn:imprint:station:";

    /** @throws FactoryException CREDENTIAL_INVALID naming the missing or bad file */
    public static StationCredential load(Path dir) {
        try {
            X509Certificate cert = Pem.readCertificate(dir.resolve("station.crt"));
            PrivateKey key = Pem.readPrivateKey(dir.resolve("station.key"), null);
            List<X509Certificate> chain = new ArrayList<>(Pem.readCertificates(dir.resolve("chain.pem")));
            if (chain.isEmpty()) {
                throw new FactoryException("CREDENTIAL_INVALID", dir.resolve("chain.pem") + " holds no certificate");
            }
            return new StationCredential(nameOf(cert), cert, key, chain);
        } catch (IOException | RuntimeException e) {
            if (e instanceof FactoryException fe) {
                throw fe;
            }
            throw new FactoryException("CREDENTIAL_INVALID", "cannot load the station credential from " + dir + ": " + e.getMessage(), e);
        }
    }

    public X509Certificate root() {
        return chain.get(chain.size() - 1);
    }

    public static boolean exists(Path dir) {
        return Files.exists(dir.resolve("station.crt")) && Files.exists(dir.resolve("station.key"));
    }

    private static String nameOf(X509Certificate cert) {
        try {
            var sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(6).equals(san.get(0)) && san.get(1) instanceof String uri && uri.startsWith(URN)) {
                        return uri.substring(URN.length());
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // fall through
        }
        throw new FactoryException("CREDENTIAL_INVALID", "station.crt carries no " + URN + "NAME");
    }
}
