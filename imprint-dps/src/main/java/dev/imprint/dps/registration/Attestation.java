package dev.imprint.dps.registration;

import dev.imprint.dps.DpsException;
import dev.imprint.dps.DpsReason;
import dev.imprint.dps.enrollment.Enrollments;
import dev.imprint.pki.validation.CertificateValidator;
import dev.imprint.pki.validation.IdentitySource;
import dev.imprint.pki.validation.PossessionProof;
import dev.imprint.pki.validation.RevocationSource;
import dev.imprint.pki.validation.ValidationRequest;
import dev.imprint.pki.validation.Verdict;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Attestation by mutual TLS: the device's chain through the shared {@link CertificateValidator}
 * (all five steps; possession was shown in the TLS handshake), with the configured CAs and the
 * CAs of group enrollments as anchors. The registration ID is the identity the validator found
 * ({@code urn:imprint:device:ID} in a SAN URI, else the subject CN); a different ID is refused.
 */
public final class Attestation {
    static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    static final String DEVICE_URN = "urn:imprint:device:";

    private final List<X509Certificate> anchors;
    private final RevocationSource revocation;
    private final Enrollments enrollments;
    private final Clock clock;
    private volatile Built built;

    private record Built(List<X509Certificate> anchors, CertificateValidator validator) {}

    /** An attested device: its registration ID and validated path (leaf first, anchor last). */
    public record Attested(String registrationId, List<X509Certificate> path) {
        public X509Certificate leaf() {
            return path.get(0);
        }
    }

    public Attestation(List<X509Certificate> anchors, RevocationSource revocation, Enrollments enrollments, Clock clock) {
        this.anchors = List.copyOf(anchors);
        this.revocation = revocation;
        this.enrollments = enrollments;
        this.clock = clock;
    }

    /**
     * @throws DpsException CLIENT_CERT_REQUIRED without a chain; the validator's reason code
     *     (401) when refused; REGISTRATION_ID_MISMATCH when {@code claimedId} is not the identity
     */
    public Attested attest(List<X509Certificate> chain, String claimedId) {
        if (chain.isEmpty()) {
            throw new DpsException(DpsReason.CLIENT_CERT_REQUIRED, "a client certificate is required (X.509 attestation)");
        }
        Verdict v = verdict(chain);
        if (v instanceof Verdict.Refused r) {
            throw new DpsException(r.reason().name(), 401, "certificate refused at step " + r.step().number() + " ("
                    + r.reason() + "): " + r.detail(), 0);
        }
        Verdict.Accepted a = (Verdict.Accepted) v;
        String id = registrationId(a.identity());
        if (claimedId != null && !claimedId.equals(id)) {
            throw new DpsException(DpsReason.REGISTRATION_ID_MISMATCH, "registration ID '" + claimedId
                    + "' is not the certificate's identity '" + id + "'");
        }
        return new Attested(id, a.path());
    }

    /** The validator's verdict on a TLS client chain (for transports that validate once per connection). */
    public Verdict verdict(List<X509Certificate> chain) {
        return validator().validate(ValidationRequest.builder()
                .chain(chain)
                .possession(PossessionProof.tlsHandshake())
                .requiredEku(CLIENT_AUTH)
                .build());
    }

    /** The registration ID carried by an accepted identity (the device URN's ID, else the identity itself). */
    public static String registrationId(String identity) {
        return identity.startsWith(DEVICE_URN) ? identity.substring(DEVICE_URN.length()) : identity;
    }

    private CertificateValidator validator() {
        List<X509Certificate> all = new ArrayList<>(anchors);
        for (X509Certificate ca : enrollments.groupCas()) {
            if (!all.contains(ca)) {
                all.add(ca);
            }
        }
        Built b = built;
        // rebuilt only when the anchors change, so the validator's signature cache survives reloads
        if (b == null || !b.anchors.equals(all)) {
            b = new Built(all, CertificateValidator.builder()
                    .trustAnchors(all)
                    .revocation(revocation)
                    .identitySources(IdentitySource.SAN_URI, IdentitySource.SUBJECT_CN)
                    .clock(clock)
                    .build());
            built = b;
        }
        return b.validator;
    }
}
