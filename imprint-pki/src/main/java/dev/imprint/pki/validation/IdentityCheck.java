package dev.imprint.pki.validation;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/** Step 4: identity from the subject or SAN (never a thumbprint), and name matching. */
final class IdentityCheck {
    private static final Verdict.Step STEP = Verdict.Step.IDENTITY;
    private static final int SAN_RFC822 = 1;
    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;
    private static final int SAN_IP = 7;

    private IdentityCheck() {}

    static String extract(X509Certificate leaf, List<IdentitySource> sources, ValidationRequest request) {
        Collection<List<?>> sans = subjectAltNames(leaf);
        for (PeerName name : request.peerNames()) {
            if (!matches(name, sans)) {
                throw new Refusal(STEP, ReasonCode.IDENTITY_MISMATCH, "certificate is not valid for "
                        + name.kind().name().toLowerCase(Locale.ROOT) + ":" + name.value());
            }
        }
        String identity = null;
        for (IdentitySource source : sources) {
            identity = from(source, leaf, sans);
            if (identity != null && !identity.isEmpty()) {
                break;
            }
            identity = null;
        }
        if (identity == null) {
            throw new Refusal(STEP, ReasonCode.NO_IDENTITY, "no identity in " + sources);
        }
        if (request.expectedIdentity() != null && !request.expectedIdentity().equals(identity)) {
            throw new Refusal(STEP, ReasonCode.IDENTITY_MISMATCH, "certificate identity '" + identity
                    + "' is not the expected '" + request.expectedIdentity() + "'");
        }
        return identity;
    }

    private static String from(IdentitySource source, X509Certificate leaf, Collection<List<?>> sans) {
        switch (source) {
            case SUBJECT_CN: return commonName(leaf);
            case SAN_URI: return firstSan(sans, SAN_URI);
            case SAN_DNS: return firstSan(sans, SAN_DNS);
            case SAN_RFC822: return firstSan(sans, SAN_RFC822);
            case SAN_IP: return firstSan(sans, SAN_IP);
            case SUBJECT_DN: return leaf.getSubjectX500Principal().getName();
            default: return null;
        }
    }

    static String commonName(X509Certificate cert) {
        X500Name name = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
        RDN[] rdns = name.getRDNs(BCStyle.CN);
        if (rdns.length == 0) {
            return null;
        }
        ASN1Encodable value = rdns[rdns.length - 1].getFirst().getValue();
        return IETFUtils.valueToString(value).replace("\\", "");
    }

    static Collection<List<?>> subjectAltNames(X509Certificate cert) {
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            return sans == null ? List.of() : sans;
        } catch (CertificateParsingException e) {
            throw new Refusal(Verdict.Step.WELL_FORMED_AND_POSSESSION, ReasonCode.MALFORMED,
                    "subjectAltName does not parse: " + e.getMessage());
        }
    }

    private static String firstSan(Collection<List<?>> sans, int type) {
        for (List<?> san : sans) {
            if (((Integer) san.get(0)) == type && san.get(1) instanceof String s) {
                return s;
            }
        }
        return null;
    }

    static boolean matches(PeerName name, Collection<List<?>> sans) {
        for (List<?> san : sans) {
            int type = (Integer) san.get(0);
            if (!(san.get(1) instanceof String value)) {
                continue;
            }
            switch (name.kind()) {
                case DNS:
                    if (type == SAN_DNS && dnsMatches(value, name.value())) {
                        return true;
                    }
                    break;
                case IP:
                    if (type == SAN_IP && ipEquals(value, name.value())) {
                        return true;
                    }
                    break;
                case RFC822:
                    if (type == SAN_RFC822 && emailMatches(value, name.value())) {
                        return true;
                    }
                    break;
                case URI:
                    if (type == SAN_URI && value.equals(name.value())) {
                        return true;
                    }
                    break;
                default:
                    break;
            }
        }
        return false;
    }

    /** RFC 6125 section 6.4: case-insensitive, a wildcard only as the whole left-most label, matching one label. */
    static boolean dnsMatches(String pattern, String host) {
        String p = pattern.toLowerCase(Locale.ROOT);
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (p.isEmpty() || h.isEmpty() || p.endsWith(".")) {
            return false;
        }
        if (!p.startsWith("*.")) {
            return !p.contains("*") && p.equals(h);
        }
        String suffix = p.substring(1); // ".example.com"
        if (suffix.contains("*") || suffix.indexOf('.', 1) < 0) {
            return false; // no wildcard on a public suffix-like single label
        }
        int dot = h.indexOf('.');
        return dot > 0 && h.substring(dot).equals(suffix);
    }

    private static boolean ipEquals(String sanValue, String wanted) {
        if (!isIpLiteral(sanValue) || !isIpLiteral(wanted)) {
            return false; // never resolve a host name here
        }
        try {
            return InetAddress.getByName(sanValue).equals(InetAddress.getByName(wanted));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    static boolean isIpLiteral(String s) {
        return !s.isEmpty() && (s.indexOf(':') >= 0 ? s.matches("[0-9A-Fa-f:.]+") : s.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}"));
    }

    private static boolean emailMatches(String sanValue, String wanted) {
        int a = sanValue.lastIndexOf('@');
        int b = wanted.lastIndexOf('@');
        if (a < 0 || b < 0) {
            return false;
        }
        return sanValue.substring(0, a).equals(wanted.substring(0, b))
                && sanValue.substring(a + 1).equalsIgnoreCase(wanted.substring(b + 1));
    }
}
