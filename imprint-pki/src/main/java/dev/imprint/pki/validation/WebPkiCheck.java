package dev.imprint.pki.validation;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;

/**
 * The CA/Browser Forum baseline-requirement checks a TLS client applies on top of RFC 5280
 * ({@link Profile#WEB_PKI}): key identifiers, CA-only extensions, subscriber key types, EKU
 * presence, subject CN consistent with the SANs, serial number form.
 */
final class WebPkiCheck {
    /** md2/md5/sha1 with RSA, DSA with SHA-1, ECDSA with SHA-1. */
    private static final Set<String> WEAK_HASH_SIGNATURES = Set.of(
            "1.2.840.113549.1.1.2", "1.2.840.113549.1.1.4", "1.2.840.113549.1.1.5",
            "1.2.840.10040.4.3", "1.2.840.10045.4.1");

    private WebPkiCheck() {}

    static void check(List<X509Certificate> path) {
        int n = path.size() - 1;
        for (int i = 0; i <= n; i++) {
            X509Certificate c = path.get(i);
            boolean leaf = i == 0;
            boolean anchor = i == n;
            checkKeyIds(c, leaf, anchor);
            checkKeyType(c);
            if (!anchor) {
                checkSignatureHash(c);
            }
            if (CertExtensions.value(c, Extension.policyConstraints.getId()) != null && !isCritical(c, Extension.policyConstraints)) {
                throw Refusal.path(ReasonCode.POLICY, "policyConstraints not critical in " + CertificateValidator.describe(c));
            }
            if (!leaf) {
                if (anchor && !isCritical(c, Extension.basicConstraints)) {
                    throw Refusal.path(ReasonCode.NOT_A_CA, "CA " + CertificateValidator.describe(c)
                            + " lacks a critical basicConstraints extension");
                }
                if (anchor && CertExtensions.value(c, Extension.extendedKeyUsage.getId()) != null) {
                    throw Refusal.path(ReasonCode.WRONG_EKU, "root " + CertificateValidator.describe(c) + " carries extKeyUsage");
                }
            }
            if (CertExtensions.value(c, Extension.authorityInfoAccess.getId()) != null) {
                try {
                    var aia = org.bouncycastle.asn1.x509.AuthorityInformationAccess.getInstance(
                            ASN1OctetString.getInstance(CertExtensions.value(c, Extension.authorityInfoAccess.getId())).getOctets());
                    if (aia.getAccessDescriptions().length == 0) {
                        throw new IllegalArgumentException("empty");
                    }
                } catch (RuntimeException e) {
                    throw Refusal.path(ReasonCode.MALFORMED, "malformed authorityInfoAccess in " + CertificateValidator.describe(c));
                }
            }
        }
        checkLeaf(path.get(0));
    }

    private static void checkLeaf(X509Certificate leaf) {
        if (leaf.getBasicConstraints() >= 0) {
            // CABF 7.1.2.7.8: a subscriber certificate has cA false; a CA in leaf position is not a server
            throw Refusal.path(ReasonCode.INVALID_PATH, "leaf " + CertificateValidator.describe(leaf)
                    + " is a CA certificate (basicConstraints cA true)");
        }
        BigInteger serial = leaf.getSerialNumber();
        if (serial.signum() <= 0 || serial.toByteArray().length > 20) {
            throw Refusal.path(ReasonCode.MALFORMED, "serial number must be positive and at most 20 octets");
        }
        if (isCritical(leaf, Extension.extendedKeyUsage)) {
            throw Refusal.path(ReasonCode.WRONG_EKU, "server certificate with a critical extKeyUsage");
        }
        try {
            List<String> ekus = leaf.getExtendedKeyUsage();
            if (ekus == null) {
                // CABF 7.1.2.7.6: required in a subscriber certificate; RFC 5280 alone lets its absence mean "any"
                throw Refusal.path(ReasonCode.WRONG_EKU, "server certificate without extKeyUsage");
            }
            if (ekus.contains(Eku.ANY)) {
                throw Refusal.path(ReasonCode.WRONG_EKU, "server certificate with anyExtendedKeyUsage");
            }
        } catch (java.security.cert.CertificateParsingException e) {
            throw Refusal.path(ReasonCode.MALFORMED, "extKeyUsage does not parse");
        }
        boolean emptySubject = leaf.getSubjectX500Principal().getEncoded().length <= 2;
        if (!emptySubject && isCritical(leaf, Extension.subjectAlternativeName)) {
            throw Refusal.path(ReasonCode.MALFORMED, "critical subjectAltName with a non-empty subject");
        }
        Collection<List<?>> sans = IdentityCheck.subjectAltNames(leaf);
        for (List<?> san : sans) {
            if ((Integer) san.get(0) == 2 && !validDnsName((String) san.get(1))) {
                throw Refusal.path(ReasonCode.MALFORMED, "malformed dNSName " + san.get(1));
            }
        }
        String cn = IdentityCheck.commonName(leaf);
        if (cn != null && triesToRepeatSan(cn, sans) && !cnInSans(cn, sans)) {
            throw Refusal.path(ReasonCode.MALFORMED, "subject CN '" + cn + "' is not one of the SAN values");
        }
    }

    /**
     * A CN that is evidently meant to repeat a SAN (an IP address in any notation, a name equal to a
     * SAN but for case, or a non-ASCII name) must repeat it exactly. Other CNs are legacy labels
     * that plenty of valid chains carry; they are not judged here.
     */
    private static boolean triesToRepeatSan(String cn, Collection<List<?>> sans) {
        if (cn.matches("(?i)(0x[0-9a-f]+|[0-9]+)(\\.(0x[0-9a-f]+|[0-9]+)){0,3}") || cn.matches("(?i)[0-9a-f:.]*:[0-9a-f:.]*")) {
            // an IP address: judged only when written in a non-canonical notation (hex, leading zeros, upper case ...)
            return !isCanonicalIp(cn);
        }
        for (int i = 0; i < cn.length(); i++) {
            if (cn.charAt(i) > 0x7e) {
                return true;
            }
        }
        for (List<?> san : sans) {
            if ((Integer) san.get(0) == 2 && ((String) san.get(1)).equalsIgnoreCase(cn)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isCanonicalIp(String s) {
        if (s.matches("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}")) {
            return true;
        }
        if (s.indexOf(':') < 0 || !IdentityCheck.isIpLiteral(s)) {
            return false;
        }
        try {
            return canonicalIp(InetAddress.getByName(s)).equals(s);
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** CABF 7.1.4.3: the CN must repeat a SAN value character for character (IP in canonical text). */
    private static boolean cnInSans(String cn, Collection<List<?>> sans) {
        for (List<?> san : sans) {
            int type = (Integer) san.get(0);
            String v = (String) san.get(1);
            if (type == 2 && v.equals(cn)) {
                return true;
            }
            if (type == 7 && IdentityCheck.isIpLiteral(v)) {
                try {
                    if (canonicalIp(InetAddress.getByName(v)).equals(cn)) {
                        return true;
                    }
                } catch (UnknownHostException e) {
                    return false;
                }
            }
        }
        return false;
    }

    /** IPv4 dotted decimal; IPv6 per RFC 5952 (lower case, longest zero run compressed). */
    static String canonicalIp(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            return a.getHostAddress();
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    static boolean validDnsName(String name) {
        String n = name.startsWith("*.") ? name.substring(2) : name;
        if (n.isEmpty() || n.length() > 253) {
            return false;
        }
        for (String label : n.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char ch = label.charAt(i);
                if (!(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-')) {
                    return false;
                }
            }
        }
        return true;
    }

    private static void checkKeyIds(X509Certificate c, boolean leaf, boolean anchor) {
        byte[] akiExt = CertExtensions.value(c, Extension.authorityKeyIdentifier.getId());
        boolean selfIssued = PathChecker.isSelfIssued(c);
        if (akiExt == null && !selfIssued && !anchor) {
            throw Refusal.path(ReasonCode.MALFORMED, CertificateValidator.describe(c) + " lacks authorityKeyIdentifier");
        }
        if (!leaf && CertExtensions.value(c, Extension.subjectKeyIdentifier.getId()) == null) {
            throw Refusal.path(ReasonCode.MALFORMED, "CA " + CertificateValidator.describe(c) + " lacks subjectKeyIdentifier");
        }
        if (akiExt != null && anchor && selfIssued) {
            AuthorityKeyIdentifier aki = AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(akiExt).getOctets());
            byte[] ski = SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(
                    CertExtensions.value(c, Extension.subjectKeyIdentifier.getId())).getOctets()).getKeyIdentifier();
            if (aki.getKeyIdentifierOctets() == null || aki.getAuthorityCertIssuer() != null
                    || aki.getAuthorityCertSerialNumber() != null
                    || !java.util.Arrays.equals(aki.getKeyIdentifierOctets(), ski)) {
                throw Refusal.path(ReasonCode.MALFORMED, "root authorityKeyIdentifier must be exactly its key identifier");
            }
        }
    }

    /** Signatures over SHA-1 or MD5 (CABF 7.1.3.2): collisions can be bought, so the path may not rest on them. */
    private static void checkSignatureHash(X509Certificate c) {
        if (WEAK_HASH_SIGNATURES.contains(c.getSigAlgOID())) {
            throw Refusal.path(ReasonCode.UNSUPPORTED_ALGORITHM, "signature algorithm " + c.getSigAlgName()
                    + " (weak hash) on " + CertificateValidator.describe(c));
        }
    }

    private static void checkKeyType(X509Certificate c) {
        PublicKey key = c.getPublicKey();
        String alg = key.getAlgorithm();
        if (alg.equals("DSA")) {
            throw Refusal.path(ReasonCode.UNSUPPORTED_ALGORITHM, "DSA key in " + CertificateValidator.describe(c));
        }
        if (key instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            if (bits < 2048 || bits % 8 != 0) {
                throw Refusal.path(ReasonCode.WEAK_KEY, "RSA key of " + bits + " bits in " + CertificateValidator.describe(c));
            }
        }
    }

    static boolean isCritical(X509Certificate c, org.bouncycastle.asn1.ASN1ObjectIdentifier oid) {
        Set<String> crit = c.getCriticalExtensionOIDs();
        return crit != null && crit.contains(oid.getId());
    }
}
