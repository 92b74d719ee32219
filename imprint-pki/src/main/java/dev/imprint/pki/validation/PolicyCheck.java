package dev.imprint.pki.validation;

import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import dev.imprint.pki.CryptoProviders;
import org.bouncycastle.asn1.x509.Extension;

/**
 * RFC 5280 certificate policy processing, delegated to Bouncy Castle's PKIX engine (the JDK's
 * accepts PKITS 4.10.13 subpart 3). Run only when
 * it can fail: non-default user inputs, or a policyConstraints extension in the path. Device
 * chains never pay for it.
 */
final class PolicyCheck {
    private PolicyCheck() {}

    static void check(List<X509Certificate> path, PolicyInputs inputs, Instant at) {
        if (inputs.isDefault() && !anyHas(path, Extension.policyConstraints.getId())) {
            return;
        }
        try {
            X509Certificate anchor = path.get(path.size() - 1);
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
            params.setRevocationEnabled(false);
            params.setDate(Date.from(at));
            Set<String> initial = new HashSet<>(inputs.initialPolicies());
            if (initial.contains(PolicyInputs.ANY_POLICY)) {
                initial.clear(); // the JDK spells "any" as the empty set
            }
            params.setInitialPolicies(initial);
            params.setExplicitPolicyRequired(inputs.explicitPolicy());
            params.setPolicyMappingInhibited(inputs.policyMappingInhibit());
            params.setAnyPolicyInhibited(inputs.anyPolicyInhibit());
            CertPath cp = CertificateFactory.getInstance("X.509").generateCertPath(path.subList(0, path.size() - 1));
            CertPathValidator.getInstance("PKIX", CryptoProviders.bouncyCastle()).validate(cp, params);
        } catch (CertPathValidatorException e) {
            if (e.getReason() == PKIXReason.INVALID_POLICY || isPolicyFinding(e)) {
                throw Refusal.path(ReasonCode.POLICY, "certificate policy processing failed: " + e.getMessage());
            }
            // Other findings were already judged by our own checks, which are the authority here.
        } catch (GeneralSecurityException e) {
            throw Refusal.path(ReasonCode.INTERNAL_ERROR, "policy engine: " + e);
        }
    }

    /** Bouncy Castle reports policy failures without a PKIXReason; its messages name the policy step. */
    private static boolean isPolicyFinding(CertPathValidatorException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.toLowerCase(java.util.Locale.ROOT).contains("polic")) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyHas(List<X509Certificate> path, String oid) {
        for (X509Certificate c : path) {
            if (CertExtensions.value(c, oid) != null) {
                return true;
            }
        }
        return false;
    }
}
