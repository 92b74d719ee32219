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
     * @throws Refused CLIENT_CERT_REQUIRED without a chain; the validator's reason code (401)
     *     when refused; REGISTRATION_ID_MISMATCH when {@code claimedId} is not the identity
     */
    public Attested attest(List<X509Certificate> chain, String claimedId) {
        if (chain.isEmpty()) {
            throw new Refused(DpsReason.CLIENT_CERT_REQUIRED.name(), DpsReason.CLIENT_CERT_REQUIRED.httpStatus(),
                    "a client certificate is required (X.509 attestation)", null);
        }
        Verdict v = verdict(chain);
        if (v instanceof Verdict.Refused r) {
            // past step 2 the path ends at a configured anchor: the caller holds the key of a certificate
            // this fleet's CAs issued. Before that (self-signed, foreign CA, bad signature) it is nobody.
            boolean vouched = r.step().number() > Verdict.Step.PATH.number();
            throw new Refused(r.reason().name(), 401, "certificate refused at step " + r.step().number() + " ("
                    + r.reason() + "): " + r.detail(), vouched ? claimedId : null);
        }
        Verdict.Accepted a = (Verdict.Accepted) v;
        String id = registrationId(a.identity());
        if (claimedId != null && !claimedId.equals(id)) {
            // recorded against the device that asked, never against the ID it named
            throw new Refused(DpsReason.REGISTRATION_ID_MISMATCH.name(), DpsReason.REGISTRATION_ID_MISMATCH.httpStatus(),
                    "registration ID '" + claimedId + "' is not the certificate's identity '" + id + "'", id);
        }
        return new Attested(id, a.path());
    }

    /**
     * A refused attestation, and whom the registration history may record it against. An
     * unauthenticated caller must not write to the store: with no certificate, or one that does
     * not chain to a configured anchor, nobody is proven and {@link #attributedTo()} is null.
     */
    public static final class Refused extends DpsException {
        private final String attributedTo;

        Refused(String reason, int httpStatus, String message, String attributedTo) {
            super(reason, httpStatus, message, 0);
            this.attributedTo = attributedTo;
        }

        /** The registration ID to record the refusal under, or null to record nothing. */
        public String attributedTo() {
            return attributedTo;
        }
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
