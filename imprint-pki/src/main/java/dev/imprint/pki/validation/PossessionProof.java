package dev.imprint.pki.validation;

import java.util.Objects;

/**
 * How the presenter showed that it holds the private key of the leaf certificate (step 1).
 *
 * <p>Exactly one kind is given per request; a request without a proof is refused with
 * {@link ReasonCode#NO_POSSESSION_PROOF}: possession is never assumed.
 */
public sealed interface PossessionProof {

    /** The TLS layer already verified the peer's CertificateVerify with the leaf's key. */
    static PossessionProof tlsHandshake() {
        return TlsHandshake.INSTANCE;
    }

    /**
     * A PKCS#10 CSR (DER). Its self-signature must verify and its public key must equal the
     * leaf's; otherwise {@link ReasonCode#BAD_POSSESSION_SIGNATURE} (or {@link ReasonCode#MALFORMED}
     * when the bytes do not parse).
     */
    static PossessionProof csr(byte[] der) {
        return new Csr(der);
    }

    /**
     * A signature over challenge data made with the leaf's key, {@code algorithm} a JCA name such
     * as {@code SHA256withECDSA} or {@code Ed25519}. A wrong signature is
     * {@link ReasonCode#BAD_POSSESSION_SIGNATURE}; an unknown algorithm is
     * {@link ReasonCode#UNSUPPORTED_ALGORITHM}.
     */
    static PossessionProof challenge(byte[] data, byte[] signature, String algorithm) {
        return new Challenge(data, signature, algorithm);
    }

    /** See {@link #tlsHandshake()}. */
    enum TlsHandshake implements PossessionProof { INSTANCE }

    /** See {@link #csr(byte[])}. */
    record Csr(byte[] der) implements PossessionProof {
        public Csr {
            der = Objects.requireNonNull(der, "der").clone();
        }
    }

    /** See {@link #challenge(byte[], byte[], String)}. */
    record Challenge(byte[] data, byte[] signature, String algorithm) implements PossessionProof {
        public Challenge {
            data = Objects.requireNonNull(data, "data").clone();
            signature = Objects.requireNonNull(signature, "signature").clone();
            Objects.requireNonNull(algorithm, "algorithm");
        }
    }
}
