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
import org.bouncycastle.asn1.x509.Extension;

/**
 * RFC 5280 certificate policy processing, delegated to the JDK's PKIX engine. Run only when
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
            CertPathValidator.getInstance("PKIX").validate(cp, params);
        } catch (CertPathValidatorException e) {
            if (e.getReason() == PKIXReason.INVALID_POLICY) {
                throw Refusal.path(ReasonCode.POLICY, "certificate policy processing failed: " + e.getMessage());
            }
            // Other findings were already judged by our own checks, which are the authority here.
        } catch (GeneralSecurityException e) {
            throw Refusal.path(ReasonCode.INTERNAL_ERROR, "policy engine: " + e);
        }
    }

    private static boolean anyHas(List<X509Certificate> path, String oid) {
        for (X509Certificate c : path) {
            if (c.getExtensionValue(oid) != null) {
                return true;
            }
        }
        return false;
    }
}
