package dev.imprint.server.http;

import dev.imprint.pki.validation.AuthorizationDecision;
import dev.imprint.pki.validation.CertificateValidator;
import dev.imprint.pki.validation.Eku;
import dev.imprint.pki.validation.IdentitySource;
import dev.imprint.pki.validation.PossessionProof;
import dev.imprint.pki.validation.ReasonCode;
import dev.imprint.pki.validation.RevocationSource;
import dev.imprint.pki.validation.RevocationStatus;
import dev.imprint.pki.validation.ValidationRequest;
import dev.imprint.pki.validation.Verdict;
import dev.imprint.pki.validation.Verdict.Step;
import dev.imprint.store.CertificateStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * Decides whether a TLS client chain is an administrator, through the shared
 * {@link CertificateValidator} (the same five steps as everywhere): the chain must lead to the
 * service CA, carry EKU clientAuth, be recorded and unrevoked in this CA's store (unknown serials
 * fail closed), and name the identity {@code urn:imprint:admin:NAME} (the credential
 * {@code imprint up} writes) or {@code urn:imprint:operator:NAME} (an operator account's) in a SAN
 * URI. Each refusal carries the validator's reason code; a valid certificate of anything else (a
 * station's, a node's) is {@code NOT_AUTHORIZED}. What the identity may do is decided afterwards
 * by its account's role ({@link dev.imprint.server.access.Access}).
 */
public final class AdminAuth {
    static final String ADMIN_URI_PREFIX = "urn:imprint:admin:";
    static final String NODE_URI_PREFIX = "urn:imprint:node:";
    static final String OPERATOR_URI_PREFIX = "urn:imprint:operator:";

    private final CertificateValidator validator;
    /** SAN URI prefix -> identity kind ({@code urn:imprint:admin:NAME} -> {@code admin:NAME}). */
    private final Map<String, String> kinds;
    private final String what;

    public AdminAuth(X509Certificate serviceCa, CertificateStore certificates) {
        this(serviceCa, certificates, Map.of(ADMIN_URI_PREFIX, "admin", OPERATOR_URI_PREFIX, "operator"), "an operator");
    }

    /** The same decision for other nodes of a cluster ({@code urn:imprint:node:NAME}, identity {@code node:NAME}); admins are not nodes. */
    public static AdminAuth nodes(X509Certificate serviceCa, CertificateStore certificates) {
        return new AdminAuth(serviceCa, certificates, Map.of(NODE_URI_PREFIX, "node"), "a node");
    }

    private AdminAuth(X509Certificate serviceCa, CertificateStore certificates, Map<String, String> kinds, String what) {
        this.kinds = kinds;
        this.what = what;
        this.validator = CertificateValidator.builder()
                .trustAnchor(serviceCa)
                .revocation(fromStore(certificates))
                .identitySources(IdentitySource.SAN_URI)
                .build();
    }

    /** @return Accepted with identity {@code admin:NAME}, or Refused with the step and reason */
    public Verdict check(List<X509Certificate> peerChain) {
        if (peerChain.isEmpty()) {
            return new Verdict.Refused(Step.WELL_FORMED_AND_POSSESSION, ReasonCode.MALFORMED, "no client certificate");
        }
        Verdict v = validator.validate(ValidationRequest.builder()
                .chain(peerChain)
                .possession(PossessionProof.tlsHandshake())
                .requiredEku(Eku.CLIENT_AUTH)
                .authorizer((identity, path) -> prefixOf(identity) != null
                        ? AuthorizationDecision.granted()
                        : AuthorizationDecision.denied(identity + " is not " + what))
                .build());
        if (v instanceof Verdict.Accepted a) {
            String prefix = prefixOf(a.identity());
            return new Verdict.Accepted(kinds.get(prefix) + ":" + a.identity().substring(prefix.length()), a.path());
        }
        return v;
    }

    private String prefixOf(String identity) {
        return kinds.keySet().stream().filter(p -> identity.startsWith(p) && identity.length() > p.length()).findFirst().orElse(null);
    }

    private static RevocationSource fromStore(CertificateStore certificates) {
        return (cert, issuer, at) -> certificates.findBySerial(cert.getSerialNumber().toString(16))
                .map(r -> r.revoked()
                        ? RevocationStatus.revoked(r.revocationReason() == null ? 0 : r.revocationReason(), r.revokedAt())
                        : RevocationStatus.good())
                .orElseGet(() -> RevocationStatus.unknown(ReasonCode.CRL_UNAVAILABLE, "certificate not recorded by this CA"));
    }
}
