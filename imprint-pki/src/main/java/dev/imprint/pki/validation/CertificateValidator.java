package dev.imprint.pki.validation;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The five validation steps, one implementation used by the CA, DPS and every hub connection.
 *
 * <ol>
 *   <li>{@link #checkWellFormedAndPossession}: the chain parses, keys are strong enough, and the
 *       presenter holds the leaf's key (TLS, CSR or challenge).</li>
 *   <li>{@link #buildPath}: an RFC 5280 path to one of the trust anchors (signatures, validity,
 *       basicConstraints and pathLen, key usage, EKU, name constraints including the anchor's,
 *       policies, unknown critical extensions), with bounded depth and bounded work.</li>
 *   <li>{@link #checkRevocation}: every certificate in the path below the anchor is asked of
 *       the {@link RevocationSource}; unknown status fails closed.</li>
 *   <li>{@link #extractIdentity}: the identity from subject CN or SAN, in the configured order,
 *       compared with the expected identity and peer names when given.</li>
 *   <li>{@link #authorize}: the caller's {@link Authorizer}.</li>
 * </ol>
 *
 * <p>{@link #validate} never throws on bad input: every failure is a {@link Verdict.Refused}
 * with the step and a stable {@link ReasonCode}. An empty trust-anchor set refuses everything
 * with {@link ReasonCode#NO_TRUST_ANCHORS}. Instances are immutable and thread-safe; share one.
 *
 * <p>Hot path: signatures of CA certificates already verified under a given issuer key are
 * cached (keyed by the issuer key and the certificate bytes), so a fresh device chain costs
 * about one signature verification (the leaf's), done with {@code CryptoProviders.fast()}.
 */
public final class CertificateValidator {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateValidator.class);

    /** Default maximum number of intermediates between leaf and anchor. */
    public static final int DEFAULT_MAX_DEPTH = 8;

    private final AnchorSet anchors;
    private final RevocationSource revocation;
    private final List<IdentitySource> identitySources;
    private final int maxDepth;
    private final Clock clock;
    private final PathBuilder pathBuilder;
    private final int minRsaBits;

    private CertificateValidator(Builder b) {
        this.anchors = new AnchorSet(b.anchors);
        this.revocation = b.revocation;
        this.identitySources = List.copyOf(b.identitySources);
        this.maxDepth = b.maxDepth;
        this.clock = b.clock;
        this.minRsaBits = b.minRsaBits;
        this.pathBuilder = new PathBuilder(anchors, new SignatureCache(b.signatureCacheSize), new PathChecker(b.minRsaBits));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the five steps on one presented chain.
     *
     * @return {@link Verdict.Accepted} with the identity and the path (leaf first, anchor last),
     *     or {@link Verdict.Refused} with the first failing step and its reason code
     */
    public Verdict validate(ValidationRequest request) {
        Objects.requireNonNull(request, "request");
        try {
            Instant at = request.time() != null ? request.time() : clock.instant();
            List<X509Certificate> chain = checkWellFormedAndPossession(request);
            List<X509Certificate> path = buildPath(request, chain, at);
            checkRevocation(path, at, new SignerContext(chain, path, request, 0, new HashSet<>()));
            String identity = extractIdentity(request, path.get(0));
            authorize(request, identity, path);
            return new Verdict.Accepted(identity, path);
        } catch (Refusal r) {
            return r.toVerdict();
        } catch (RuntimeException e) {
            // Fail closed: a bug or an unexpected provider error must never accept.
            LOG.warn("validator internal error", e);
            return new Verdict.Refused(Verdict.Step.PATH, ReasonCode.INTERNAL_ERROR,
                    e + " at " + firstOwnFrame(e));
        }
    }

    /** Step 1: parses the chain, checks key strength, and checks the possession proof. */
    List<X509Certificate> checkWellFormedAndPossession(ValidationRequest request) {
        List<X509Certificate> chain = WellFormedCheck.parse(request);
        if (anchors.isEmpty()) {
            throw Refusal.path(ReasonCode.NO_TRUST_ANCHORS, "no trust anchors configured: refusing everything");
        }
        WellFormedCheck.checkKey(chain.get(0), request.profile() == Profile.WEB_PKI ? Math.max(2048, minRsaBits) : minRsaBits,
                Verdict.Step.WELL_FORMED_AND_POSSESSION);
        PossessionCheck.check(request.possession(), chain.get(0));
        return chain;
    }

    /** Step 2: builds and validates a path from the leaf to an anchor. */
    List<X509Certificate> buildPath(ValidationRequest request, List<X509Certificate> chain, Instant at) {
        int depth = request.maxDepth() != null ? request.maxDepth() : maxDepth;
        return pathBuilder.build(chain, request, at, depth);
    }

    /** Step 3: asks the revocation source about every certificate below the anchor. */
    void checkRevocation(List<X509Certificate> path, Instant at, CrlSigners signers) {
        for (int i = 0; i + 1 < path.size(); i++) {
            X509Certificate cert = path.get(i);
            RevocationStatus status;
            try {
                status = revocation.status(cert, path.get(i + 1), at, signers);
            } catch (RuntimeException e) {
                status = RevocationStatus.unknown(ReasonCode.CRL_UNAVAILABLE, "revocation source failed: " + e);
            }
            if (status instanceof RevocationStatus.Revoked r) {
                throw new Refusal(Verdict.Step.REVOCATION, ReasonCode.REVOKED, "certificate " + describe(cert)
                        + " revoked at " + r.revokedAt() + " (reason " + r.reason() + ")");
            } else if (status instanceof RevocationStatus.Unknown u) {
                throw new Refusal(Verdict.Step.REVOCATION, u.code(), "revocation status of " + describe(cert)
                        + " unknown: " + u.detail());
            } else if (status == null) {
                throw new Refusal(Verdict.Step.REVOCATION, ReasonCode.INTERNAL_ERROR, "revocation source returned null");
            }
        }
    }

    /** Step 4: the identity from the configured sources, checked against what the caller expects. */
    String extractIdentity(ValidationRequest request, X509Certificate leaf) {
        return IdentityCheck.extract(leaf, identitySources, request);
    }

    /** Step 5: the caller's hook; an exception in it denies. */
    void authorize(ValidationRequest request, String identity, List<X509Certificate> path) {
        AuthorizationDecision decision;
        try {
            decision = request.authorizer().authorize(identity, List.copyOf(path));
        } catch (RuntimeException e) {
            throw new Refusal(Verdict.Step.AUTHORIZATION, ReasonCode.INTERNAL_ERROR, "authorizer failed: " + e);
        }
        if (decision instanceof AuthorizationDecision.Denied d) {
            throw new Refusal(Verdict.Step.AUTHORIZATION, ReasonCode.NOT_AUTHORIZED, d.detail());
        } else if (decision == null) {
            throw new Refusal(Verdict.Step.AUTHORIZATION, ReasonCode.NOT_AUTHORIZED, "authorizer returned no decision");
        }
    }

    /**
     * CRL signers other than the issuer, for one validation: found among the presented
     * certificates and anchors, trusted only with their own valid, unrevoked path to the same
     * anchor. A signer whose own status is being checked counts as trusted for the CRLs it signed
     * itself (a CA's CRL-signing key covers its own certificate); recursion stops at depth 3.
     */
    private final class SignerContext implements CrlSigners {
        private static final int MAX_DEPTH = 3;
        private final List<X509Certificate> chain;
        private final List<X509Certificate> path;
        private final X509Certificate anchor;
        private final ValidationRequest request;
        private final int depth;
        private final Set<X509Certificate> inProgress;

        SignerContext(List<X509Certificate> chain, List<X509Certificate> path, ValidationRequest request, int depth,
                      Set<X509Certificate> inProgress) {
            this.chain = chain;
            this.path = path;
            this.anchor = path.get(path.size() - 1);
            this.request = request;
            this.depth = depth;
            this.inProgress = inProgress;
        }

        @Override
        public List<X509Certificate> named(X500Principal subject) {
            List<X509Certificate> out = new ArrayList<>(anchors.bySubject(subject));
            for (X509Certificate c : chain) {
                if (c.getSubjectX500Principal().equals(subject) && !out.contains(c)) {
                    out.add(c);
                }
            }
            return out;
        }

        @Override
        public X509Certificate anchor() {
            return anchor;
        }

        @Override
        public PublicKey keyOf(X509Certificate cert) {
            int i = path.indexOf(cert);
            return i >= 0 ? DsaKeys.effective(path, i) : cert.getPublicKey();
        }

        @Override
        public boolean trusted(X509Certificate signer, Instant at) {
            if (signer.equals(anchor) || inProgress.contains(signer)) {
                return true;
            }
            if (depth >= MAX_DEPTH) {
                return false;
            }
            List<X509Certificate> signerChain = new ArrayList<>();
            signerChain.add(signer);
            for (X509Certificate c : chain) {
                if (!c.equals(signer)) {
                    signerChain.add(c);
                }
            }
            inProgress.add(signer);
            try {
                ValidationRequest r = ValidationRequest.builder().chain(signerChain).time(at)
                        .profile(request.profile()).build();
                List<X509Certificate> p = pathBuilder.build(signerChain, r, at, maxDepth);
                if (!p.get(p.size() - 1).equals(anchor)) {
                    return false;
                }
                checkRevocation(p, at, new SignerContext(chain, p, request, depth + 1, inProgress));
                return true;
            } catch (Refusal e) {
                return false;
            } finally {
                inProgress.remove(signer);
            }
        }
    }

    private static String firstOwnFrame(Throwable e) {
        for (StackTraceElement f : e.getStackTrace()) {
            if (f.getClassName().startsWith("dev.imprint.")) {
                return f.toString();
            }
        }
        return e.getStackTrace().length > 0 ? e.getStackTrace()[0].toString() : "?";
    }

    static String describe(X509Certificate cert) {
        return "'" + cert.getSubjectX500Principal().getName() + "' serial " + cert.getSerialNumber().toString(16);
    }

    /** Builder. Anchors default to none (refuse everything); revocation has no default: choose. */
    public static final class Builder {
        private final List<X509Certificate> anchors = new ArrayList<>();
        private RevocationSource revocation;
        private List<IdentitySource> identitySources = List.of(IdentitySource.SAN_URI, IdentitySource.SUBJECT_CN);
        private int maxDepth = DEFAULT_MAX_DEPTH;
        private Clock clock = Clock.systemUTC();
        private int signatureCacheSize = 10_000;
        private int minRsaBits = 2048;

        private Builder() {}

        /** Trusted roots (or issuing CAs) for this purpose. Their own validity is not checked beyond their dates. */
        public Builder trustAnchors(Collection<X509Certificate> anchors) {
            this.anchors.addAll(anchors);
            return this;
        }

        public Builder trustAnchor(X509Certificate anchor) {
            this.anchors.add(Objects.requireNonNull(anchor));
            return this;
        }

        /** Step 3's source: a {@link dev.imprint.pki.validation.crl.CrlCache}, the CA's store, or {@link RevocationSource#NONE}. */
        public Builder revocation(RevocationSource source) {
            this.revocation = Objects.requireNonNull(source);
            return this;
        }

        /** Where step 4 looks for the identity, first match wins; default SAN URI, then subject CN. */
        public Builder identitySources(IdentitySource... order) {
            if (order.length == 0) {
                throw new IllegalArgumentException("at least one identity source");
            }
            this.identitySources = List.of(order);
            return this;
        }

        /** Maximum intermediates between leaf and anchor (default 8); deeper chains are CHAIN_TOO_DEEP. */
        public Builder maxDepth(int maxDepth) {
            if (maxDepth < 0) {
                throw new IllegalArgumentException("maxDepth < 0");
            }
            this.maxDepth = maxDepth;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** Number of verified CA-certificate signatures remembered (default 10,000). */
        public Builder signatureCacheSize(int size) {
            this.signatureCacheSize = size;
            return this;
        }

        /** Smallest RSA modulus accepted anywhere in the path (default 2048); smaller is WEAK_KEY. */
        public Builder minRsaBits(int bits) {
            this.minRsaBits = bits;
            return this;
        }

        /** @throws IllegalStateException when no revocation source was chosen */
        public CertificateValidator build() {
            if (revocation == null) {
                throw new IllegalStateException("choose a revocation source (CrlCache, the CA's store, or RevocationSource.NONE)");
            }
            return new CertificateValidator(this);
        }
    }
}
