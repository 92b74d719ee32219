package dev.imprint.pki.validation;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One presented certificate chain and what the caller needs of it. Immutable; build with
 * {@link #builder()}.
 *
 * <p>The chain is leaf first, then intermediates in any order (the validator builds the path;
 * extra or missing certificates are fine as long as a path to an anchor exists). It may be
 * given parsed ({@link Builder#chain}) or as DER ({@link Builder#chainDer}); DER that does not
 * parse is refused at step 1 with {@link ReasonCode#MALFORMED}, never thrown.
 */
public final class ValidationRequest {
    private final List<X509Certificate> chain;
    private final List<byte[]> chainDer;
    private final Instant time;
    private final String requiredEku;
    private final Set<KeyUsageBit> requiredKeyUsage;
    private final PossessionProof possession;
    private final String expectedIdentity;
    private final List<PeerName> peerNames;
    private final Authorizer authorizer;
    private final Integer maxDepth;
    private final PolicyInputs policy;
    private final Profile profile;

    private ValidationRequest(Builder b) {
        this.chain = b.chain == null ? null : List.copyOf(b.chain);
        this.chainDer = b.chainDer == null ? null : b.chainDer.stream().map(byte[]::clone).toList();
        this.time = b.time;
        this.requiredEku = b.requiredEku;
        this.requiredKeyUsage = b.requiredKeyUsage.isEmpty() ? Set.of() : EnumSet.copyOf(b.requiredKeyUsage);
        this.possession = b.possession;
        this.expectedIdentity = b.expectedIdentity;
        this.peerNames = List.copyOf(b.peerNames);
        this.authorizer = b.authorizer;
        this.maxDepth = b.maxDepth;
        this.policy = b.policy;
        this.profile = b.profile;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The parsed chain, or null when given as DER. */
    public List<X509Certificate> chain() { return chain; }

    /** The DER chain, or null when given parsed. */
    public List<byte[]> chainDer() { return chainDer; }

    /** The validation time; null means the validator's clock. */
    public Instant time() { return time; }

    /** The EKU OID the leaf must carry (or anyExtendedKeyUsage), null for none. */
    public String requiredEku() { return requiredEku; }

    public Set<KeyUsageBit> requiredKeyUsage() { return requiredKeyUsage; }

    public PossessionProof possession() { return possession; }

    /** The identity step 4 must find, null to accept whichever it finds. */
    public String expectedIdentity() { return expectedIdentity; }

    /** Names the leaf must be valid for (TLS server names), all of them; empty for none. */
    public List<PeerName> peerNames() { return peerNames; }

    public Authorizer authorizer() { return authorizer; }

    /** Overrides the validator's maximum number of intermediates, null to keep it. */
    public Integer maxDepth() { return maxDepth; }

    public PolicyInputs policy() { return policy; }

    public Profile profile() { return profile; }

    /** Builder; only the chain and the possession proof are required. */
    public static final class Builder {
        private List<X509Certificate> chain;
        private List<byte[]> chainDer;
        private Instant time;
        private String requiredEku;
        private Set<KeyUsageBit> requiredKeyUsage = EnumSet.noneOf(KeyUsageBit.class);
        private PossessionProof possession;
        private String expectedIdentity;
        private final List<PeerName> peerNames = new ArrayList<>();
        private Authorizer authorizer = Authorizer.ALLOW_ALL;
        private Integer maxDepth;
        private PolicyInputs policy = PolicyInputs.ANY;
        private Profile profile = Profile.RFC5280;

        private Builder() {}

        /** Leaf first, then intermediates in any order. */
        public Builder chain(List<X509Certificate> chain) {
            this.chain = Objects.requireNonNull(chain, "chain");
            this.chainDer = null;
            return this;
        }

        public Builder chain(X509Certificate... chain) {
            return chain(List.of(chain));
        }

        /** Leaf first, then intermediates in any order, as DER. */
        public Builder chainDer(List<byte[]> der) {
            this.chainDer = Objects.requireNonNull(der, "der");
            this.chain = null;
            return this;
        }

        public Builder time(Instant time) { this.time = time; return this; }

        public Builder requiredEku(String oid) { this.requiredEku = oid; return this; }

        public Builder requiredKeyUsage(Set<KeyUsageBit> bits) {
            this.requiredKeyUsage = bits.isEmpty() ? EnumSet.noneOf(KeyUsageBit.class) : EnumSet.copyOf(bits);
            return this;
        }

        public Builder possession(PossessionProof proof) { this.possession = proof; return this; }

        public Builder expectedIdentity(String identity) { this.expectedIdentity = identity; return this; }

        public Builder peerName(PeerName name) { this.peerNames.add(Objects.requireNonNull(name)); return this; }

        /** Step 5's hook; defaults to {@link Authorizer#ALLOW_ALL}. */
        public Builder authorizer(Authorizer authorizer) {
            this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
            return this;
        }

        public Builder maxDepth(Integer maxDepth) { this.maxDepth = maxDepth; return this; }

        public Builder policy(PolicyInputs policy) { this.policy = Objects.requireNonNull(policy); return this; }

        public Builder profile(Profile profile) { this.profile = Objects.requireNonNull(profile); return this; }

        public ValidationRequest build() {
            if (chain == null && chainDer == null) {
                throw new IllegalStateException("chain is required");
            }
            return new ValidationRequest(this);
        }
    }
}
