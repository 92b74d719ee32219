package dev.imprint.pki.validation;

import java.io.IOException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.NameConstraintValidatorException;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.PKIXNameConstraintValidator;

/**
 * RFC 5280 section 6.1 over one candidate path (leaf first, anchor last): validity, basic
 * constraints and pathLen, key usage, EKU, name constraints (the anchor's included),
 * unknown critical extensions, key strength; policy processing is delegated to
 * {@link PolicyCheck} when the inputs or the path can make it fail.
 */
final class PathChecker {
    static final Set<String> KNOWN_CRITICAL = Set.of(
            Extension.keyUsage.getId(), Extension.extendedKeyUsage.getId(), Extension.basicConstraints.getId(),
            Extension.nameConstraints.getId(), Extension.subjectAlternativeName.getId(),
            Extension.certificatePolicies.getId(), Extension.policyMappings.getId(),
            Extension.policyConstraints.getId(), Extension.inhibitAnyPolicy.getId());

    private final int minRsaBits;
    /**
     * CA certificates (anchors and intermediates) that already passed the checks that depend on
     * their bytes alone (critical extensions, structure as a CA). Only passes are remembered, so
     * a refusal is recomputed with its own reason every time; time, names, EKU and path-length
     * checks are never cached.
     */
    private final Set<X509Certificate> caStructureOk = ConcurrentHashMap.newKeySet();

    PathChecker(int minRsaBits) {
        this.minRsaBits = minRsaBits;
    }

    void check(List<X509Certificate> path, ValidationRequest request, Instant at) {
        int n = path.size() - 1;
        X509Certificate anchor = path.get(n);
        // RFC 5280 times have second granularity: a fraction past notAfter is still that second
        Date when = Date.from(at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        checkValidity(anchor, when);
        checkCaStructure(anchor);
        boolean[] anchorKu = anchor.getKeyUsage();
        if (anchorKu != null && !KeyUsageBit.KEY_CERT_SIGN.isSetIn(anchorKu)) {
            throw Refusal.path(ReasonCode.KEY_USAGE, "trust anchor " + CertificateValidator.describe(anchor) + " lacks keyCertSign");
        }
        if (request.profile() == Profile.WEB_PKI) {
            WebPkiCheck.check(path);
        }
        PKIXNameConstraintValidator names = new PKIXNameConstraintValidator();
        List<String> excludedDns = new java.util.ArrayList<>();
        int[] constraintCount = {0};
        addNameConstraints(names, anchor, excludedDns, constraintCount);
        int maxPathLen = n;
        if (anchor.getBasicConstraints() >= 0) {
            maxPathLen = Math.min(maxPathLen, anchor.getBasicConstraints());
        }
        for (int i = n - 1; i >= 0; i--) {
            X509Certificate cert = path.get(i);
            boolean leaf = i == 0;
            checkValidity(cert, when);
            if (leaf) {
                checkCriticalExtensions(cert);
                checkStructure(cert, true);
            } else {
                checkCaStructure(cert);
            }
            WellFormedCheck.checkKey(cert, request.profile() == Profile.WEB_PKI ? Math.max(2048, minRsaBits) : minRsaBits,
                    Verdict.Step.PATH);
            if (leaf || !isSelfIssued(cert)) {
                checkNames(names, cert, excludedDns, constraintCount[0]);
            }
            if (!leaf) {
                if (cert.getBasicConstraints() < 0) {
                    throw Refusal.path(ReasonCode.NOT_A_CA, "issuer " + CertificateValidator.describe(cert)
                            + " is not a CA (basicConstraints cA absent or false)");
                }
                if (!isSelfIssued(cert)) {
                    if (maxPathLen <= 0) {
                        throw Refusal.path(ReasonCode.PATH_LENGTH_EXCEEDED, "pathLenConstraint exceeded at "
                                + CertificateValidator.describe(cert));
                    }
                    maxPathLen--;
                }
                maxPathLen = Math.min(maxPathLen, cert.getBasicConstraints());
                boolean[] ku = cert.getKeyUsage();
                if (ku != null && !KeyUsageBit.KEY_CERT_SIGN.isSetIn(ku)) {
                    throw Refusal.path(ReasonCode.KEY_USAGE, "issuer " + CertificateValidator.describe(cert)
                            + " lacks keyCertSign");
                }
                addNameConstraints(names, cert, excludedDns, constraintCount);
            }
            checkEku(cert, request.requiredEku(), leaf);
        }
        checkLeafKeyUsage(path.get(0), request);
        PolicyCheck.check(path, request.policy(), at);
    }

    /** {@link #checkCriticalExtensions} and {@link #checkStructure} of a certificate in a CA position, remembered when they pass. */
    private void checkCaStructure(X509Certificate cert) {
        if (caStructureOk.contains(cert)) {
            return;
        }
        checkCriticalExtensions(cert);
        checkStructure(cert, false);
        if (caStructureOk.size() >= 10_000) {
            caStructureOk.clear(); // bounded; refilled by the next validations
        }
        caStructureOk.add(cert);
    }

    static boolean isSelfIssued(X509Certificate cert) {
        return cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal());
    }

    private static void checkValidity(X509Certificate cert, Date when) {
        try {
            cert.checkValidity(when);
        } catch (CertificateExpiredException e) {
            throw Refusal.path(ReasonCode.EXPIRED, CertificateValidator.describe(cert) + " expired at "
                    + cert.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw Refusal.path(ReasonCode.NOT_YET_VALID, CertificateValidator.describe(cert) + " not valid before "
                    + cert.getNotBefore().toInstant());
        }
    }

    private static void checkCriticalExtensions(X509Certificate cert) {
        Set<String> critical = cert.getCriticalExtensionOIDs();
        if (critical == null) {
            return;
        }
        for (String oid : critical) {
            if (!KNOWN_CRITICAL.contains(oid)) {
                throw Refusal.path(ReasonCode.UNKNOWN_CRITICAL_EXTENSION, "unknown critical extension " + oid
                        + " in " + CertificateValidator.describe(cert));
            }
        }
    }

    private static void checkEku(X509Certificate cert, String required, boolean leaf) {
        if (required == null) {
            return;
        }
        List<String> ekus;
        try {
            ekus = cert.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw Refusal.path(ReasonCode.MALFORMED, "extendedKeyUsage does not parse in " + CertificateValidator.describe(cert));
        }
        if (ekus == null) {
            return; // absent EKU does not restrict (RFC 5280 4.2.1.12)
        }
        if (!ekus.contains(required) && !ekus.contains(Eku.ANY)) {
            throw Refusal.path(ReasonCode.WRONG_EKU, (leaf ? "leaf " : "issuer ") + CertificateValidator.describe(cert)
                    + " is not valid for EKU " + required);
        }
    }

    private static void checkLeafKeyUsage(X509Certificate leaf, ValidationRequest request) {
        if (request.requiredKeyUsage().isEmpty()) {
            return;
        }
        boolean[] ku = leaf.getKeyUsage();
        if (ku == null) {
            return; // absent keyUsage does not restrict
        }
        for (KeyUsageBit bit : request.requiredKeyUsage()) {
            if (!bit.isSetIn(ku)) {
                throw Refusal.path(ReasonCode.KEY_USAGE, "leaf lacks key usage " + bit);
            }
        }
    }

    /** RFC 5280 MUSTs on extension criticality and presence that the JDK and BC engines let through. */
    private static void checkStructure(X509Certificate cert, boolean leaf) {
        Set<String> critical = cert.getCriticalExtensionOIDs();
        critical = critical == null ? Set.of() : critical;
        if (critical.contains(Extension.authorityKeyIdentifier.getId()) || critical.contains(Extension.subjectKeyIdentifier.getId())) {
            throw Refusal.path(ReasonCode.MALFORMED, "critical key identifier extension in " + CertificateValidator.describe(cert));
        }
        if (CertExtensions.value(cert, Extension.nameConstraints.getId()) != null) {
            if (leaf && cert.getBasicConstraints() < 0) {
                throw Refusal.path(ReasonCode.NAME_CONSTRAINTS, "nameConstraints in an end-entity certificate");
            }
            if (!critical.contains(Extension.nameConstraints.getId())) {
                throw Refusal.path(ReasonCode.NAME_CONSTRAINTS, "nameConstraints not critical in " + CertificateValidator.describe(cert));
            }
        }
        try {
            List<String> eku = cert.getExtendedKeyUsage();
            if (eku != null && eku.isEmpty()) {
                throw Refusal.path(ReasonCode.MALFORMED, "empty extKeyUsage in " + CertificateValidator.describe(cert));
            }
        } catch (CertificateParsingException e) {
            throw Refusal.path(ReasonCode.MALFORMED, "extKeyUsage does not parse in " + CertificateValidator.describe(cert));
        }
        if (leaf && cert.getBasicConstraints() < 0 && KeyUsageBit.KEY_CERT_SIGN.isSetIn(cert.getKeyUsage())) {
            throw Refusal.path(ReasonCode.KEY_USAGE, "keyCertSign in a certificate that is not a CA");
        }
    }

    /** Name constraints beyond this many subtree-name comparisons are refused rather than evaluated. */
    static final long MAX_NAME_CHECKS = 1L << 20;

    private static void addNameConstraints(PKIXNameConstraintValidator names, X509Certificate cert,
                                           List<String> excludedDns, int[] count) {
        byte[] ext = CertExtensions.value(cert, Extension.nameConstraints.getId());
        if (ext == null) {
            return;
        }
        NameConstraints nc;
        try {
            nc = NameConstraints.getInstance(ASN1OctetString.getInstance(ext).getOctets());
        } catch (RuntimeException e) {
            throw Refusal.path(ReasonCode.MALFORMED, "nameConstraints do not parse in " + CertificateValidator.describe(cert));
        }
        GeneralSubtree[] permitted = nc.getPermittedSubtrees();
        GeneralSubtree[] excluded = nc.getExcludedSubtrees();
        if (permitted == null && excluded == null) {
            throw Refusal.path(ReasonCode.NAME_CONSTRAINTS, "empty nameConstraints in " + CertificateValidator.describe(cert));
        }
        for (GeneralSubtree[] set : new GeneralSubtree[][] {permitted, excluded}) {
            if (set == null) {
                continue;
            }
            count[0] += set.length;
            for (GeneralSubtree t : set) {
                GeneralName base = t.getBase();
                if (base.getTagNo() == GeneralName.dNSName) {
                    String dns = base.getName().toString();
                    if (dns.startsWith(".") || dns.contains("..") || dns.endsWith(".")) {
                        throw Refusal.path(ReasonCode.NAME_CONSTRAINTS, "malformed dNSName constraint '" + dns + "'");
                    }
                    if (set == excluded) {
                        excludedDns.add(dns.toLowerCase(java.util.Locale.ROOT));
                    }
                }
                if (base.getTagNo() == GeneralName.rfc822Name && base.getName().toString().indexOf('@')
                        != base.getName().toString().lastIndexOf('@')) {
                    throw Refusal.path(ReasonCode.NAME_CONSTRAINTS, "malformed rfc822Name constraint");
                }
            }
        }
        try {
            if (permitted != null) {
                names.intersectPermittedSubtree(permitted);
            }
            if (excluded != null) {
                for (GeneralSubtree t : excluded) {
                    names.addExcludedSubtree(t);
                }
            }
        } catch (RuntimeException e) {
            throw Refusal.path(ReasonCode.MALFORMED, "nameConstraints do not parse in " + CertificateValidator.describe(cert));
        }
    }

    private static void checkNames(PKIXNameConstraintValidator names, X509Certificate cert,
                                   List<String> excludedDns, int constraints) {
        try {
            X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
            byte[] sanExt = CertExtensions.value(cert, Extension.subjectAlternativeName.getId());
            GeneralNames sanNames = sanExt == null ? null : GeneralNames.getInstance(ASN1Primitive.fromByteArray(
                    ASN1OctetString.getInstance(sanExt).getOctets()));
            long nameCount = subject.getRDNs().length + (sanNames == null ? 0 : sanNames.getNames().length);
            if (constraints > 0 && nameCount * constraints > MAX_NAME_CHECKS) {
                throw Refusal.path(ReasonCode.PATH_BUILDING_LIMIT, "name-constraint work " + nameCount + " x "
                        + constraints + " exceeds the bound");
            }
            if (sanNames != null) {
                for (GeneralName gn : sanNames.getNames()) {
                    if (gn.getTagNo() == GeneralName.dNSName && gn.getName().toString().startsWith("*.")) {
                        // A wildcard stands for names a constraint might exclude (CVE-2025-61727): refuse if any could be.
                        String rest = gn.getName().toString().substring(2).toLowerCase(java.util.Locale.ROOT);
                        for (String ex : excludedDns) {
                            if (ex.endsWith("." + rest) || ex.equals(rest) || rest.endsWith("." + ex)) {
                                throw new NameConstraintValidatorException("wildcard " + gn.getName() + " may match excluded " + ex);
                            }
                        }
                    }
                }
            }
            if (subject.getRDNs().length > 0) {
                names.checkPermittedDN(subject);
                names.checkExcludedDN(subject);
            }
            for (RDN rdn : subject.getRDNs(BCStyle.EmailAddress)) {
                GeneralName email = new GeneralName(GeneralName.rfc822Name,
                        IETFUtils.valueToString(rdn.getFirst().getValue()));
                names.checkPermitted(email);
                names.checkExcluded(email);
            }
            if (sanNames != null) {
                for (GeneralName gn : sanNames.getNames()) {
                    names.checkPermitted(gn);
                    names.checkExcluded(gn);
                }
            }
        } catch (NameConstraintValidatorException e) {
            throw Refusal.path(ReasonCode.NAME_CONSTRAINTS, "name constraints violated by "
                    + CertificateValidator.describe(cert) + ": " + e.getMessage());
        } catch (Refusal r) {
            throw r; // the work bound's own refusal, not a parse failure
        } catch (IOException | RuntimeException e) {
            throw Refusal.path(ReasonCode.MALFORMED, "names do not parse in " + CertificateValidator.describe(cert));
        }
    }
}
