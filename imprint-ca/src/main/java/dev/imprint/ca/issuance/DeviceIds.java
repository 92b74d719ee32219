package dev.imprint.ca.issuance;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Device IDs and the SAN URIs that carry them.
 *
 * <p>A device ID is 1-128 characters: letters, digits and {@code . _ : @ + = -}, starting with
 * a letter or digit. These are a subset of what Azure IoT allows and are all legal, unescaped,
 * in a URN, so the SAN URI is {@code urn:imprint:device:<ID>} verbatim. Stations are
 * {@code urn:imprint:station:<NAME>}, admins {@code urn:imprint:admin:<NAME>}.
 */
public final class DeviceIds {
    public static final String DEVICE_URN = "urn:imprint:device:";
    public static final String STATION_URN = "urn:imprint:station:";
    public static final String ADMIN_URN = "urn:imprint:admin:";
    /** Named operator accounts (a role each, kept in the store's operators table). */
    public static final String OPERATOR_URN = "urn:imprint:operator:";
    /** Nodes of a cluster calling a CA node (operational certificates for a DPS node): no admin rights. */
    public static final String NODE_URN = "urn:imprint:node:";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,127}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private DeviceIds() {}

    public static boolean valid(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** Station, admin and server names: letters, digits, '.', '_', '-' (1-64). */
    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** The identity a certificate carries under {@code urnPrefix}: its SAN URI, else its subject CN. */
    public static Optional<String> fromCertificate(X509Certificate cert, String urnPrefix) {
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(6).equals(san.get(0)) && san.get(1) instanceof String uri && uri.startsWith(urnPrefix)) {
                        return Optional.of(uri.substring(urnPrefix.length()));
                    }
                }
            }
            if (!DEVICE_URN.equals(urnPrefix)) {
                return Optional.empty();
            }
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) {
                    return Optional.of(rdn.getValue().toString());
                }
            }
        } catch (CertificateParsingException | InvalidNameException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** The device ID a device certificate carries. */
    public static Optional<String> fromCertificate(X509Certificate cert) {
        return fromCertificate(cert, DEVICE_URN);
    }
}
