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

    PathChecker(int minRsaBits) {
        this.minRsaBits = minRsaBits;
    }

    void check(List<X509Certificate> path, ValidationRequest request, Instant at) {
        int n = path.size() - 1;
        X509Certificate anchor = path.get(n);
        Date when = Date.from(at);
        checkValidity(anchor, when);
        PKIXNameConstraintValidator names = new PKIXNameConstraintValidator();
        addNameConstraints(names, anchor);
        int maxPathLen = n;
        if (anchor.getBasicConstraints() >= 0) {
            maxPathLen = Math.min(maxPathLen, anchor.getBasicConstraints());
        }
        for (int i = n - 1; i >= 0; i--) {
            X509Certificate cert = path.get(i);
            boolean leaf = i == 0;
            checkValidity(cert, when);
            checkCriticalExtensions(cert);
            WellFormedCheck.checkKey(cert, request.profile() == Profile.WEB_PKI ? Math.max(2048, minRsaBits) : minRsaBits,
                    Verdict.Step.PATH);
            if (leaf || !isSelfIssued(cert)) {
                checkNames(names, cert);
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
                addNameConstraints(names, cert);
            }
            checkEku(cert, request.requiredEku(), leaf);
        }
        checkLeafKeyUsage(path.get(0), request);
        PolicyCheck.check(path, request.policy(), at);
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

    private static void addNameConstraints(PKIXNameConstraintValidator names, X509Certificate cert) {
        byte[] ext = cert.getExtensionValue(Extension.nameConstraints.getId());
        if (ext == null) {
            return;
        }
        try {
            NameConstraints nc = NameConstraints.getInstance(ASN1OctetString.getInstance(ext).getOctets());
            GeneralSubtree[] permitted = nc.getPermittedSubtrees();
            if (permitted != null) {
                names.intersectPermittedSubtree(permitted);
            }
            GeneralSubtree[] excluded = nc.getExcludedSubtrees();
            if (excluded != null) {
                for (GeneralSubtree t : excluded) {
                    names.addExcludedSubtree(t);
                }
            }
        } catch (RuntimeException e) {
            throw Refusal.path(ReasonCode.MALFORMED, "nameConstraints do not parse in " + CertificateValidator.describe(cert));
        }
    }

    private static void checkNames(PKIXNameConstraintValidator names, X509Certificate cert) {
        try {
            X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
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
            byte[] san = cert.getExtensionValue(Extension.subjectAlternativeName.getId());
            if (san != null) {
                GeneralNames gns = GeneralNames.getInstance(ASN1Primitive.fromByteArray(
                        ASN1OctetString.getInstance(san).getOctets()));
                for (GeneralName gn : gns.getNames()) {
                    names.checkPermitted(gn);
                    names.checkExcluded(gn);
                }
            }
        } catch (NameConstraintValidatorException e) {
            throw Refusal.path(ReasonCode.NAME_CONSTRAINTS, "name constraints violated by "
                    + CertificateValidator.describe(cert) + ": " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            throw Refusal.path(ReasonCode.MALFORMED, "names do not parse in " + CertificateValidator.describe(cert));
        }
    }
}
