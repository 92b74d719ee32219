package dev.imprint.ca.issuance;

import java.time.Duration;

/**
 * One rule of issuance, as a value. An enrollment method returns the list of rules that apply
 * to a request; the {@link IssuancePipeline} runs them in a fixed order of phases (CSR checks,
 * template, modify, validate, reserve), then signs and records. The pipeline interprets each
 * rule; a rule it does not know fails the issuance (closed), it is never skipped.
 */
public sealed interface IssuanceRule {

    Phase phase();

    /** The fixed order of the pipeline. */
    enum Phase { CSR, TEMPLATE, MODIFY, VALIDATE, RESERVE }

    // --- CSR checks
    /** The key is of an accepted type and size. */
    record KeyAccepted() implements IssuanceRule {
        public Phase phase() { return Phase.CSR; }
    }

    /** The CSR's signature verifies with its own key (proof of possession). */
    record CsrSignature() implements IssuanceRule {
        public Phase phase() { return Phase.CSR; }
    }

    /** The CSR names exactly one valid device ID, and nothing else. */
    record DeviceNamesOnly() implements IssuanceRule {
        public Phase phase() { return Phase.CSR; }
    }

    /** The CSR does not ask for CA rights. */
    record NoCaRights() implements IssuanceRule {
        public Phase phase() { return Phase.CSR; }
    }

    // --- template
    /** Issue a device certificate from CA {@code ca} valid for {@code validity}. */
    record DeviceProfile(String ca, Duration validity) implements IssuanceRule {
        public Phase phase() { return Phase.TEMPLATE; }
    }

    // --- modify
    /** Shorten notAfter to the issuing CA's notAfter. */
    record ClampToIssuer() implements IssuanceRule {
        public Phase phase() { return Phase.MODIFY; }
    }

    // --- validate
    /** The station exists and is not revoked. */
    record StationActive(String station) implements IssuanceRule {
        public Phase phase() { return Phase.VALIDATE; }
    }

    /** The device ID matches the station's pattern in full. */
    record StationIdPattern(String station) implements IssuanceRule {
        public Phase phase() { return Phase.VALIDATE; }
    }

    /** The device ID has no live device certificate and no issuance in flight, on any CA node (decided again where it is recorded). */
    record NoLiveCertificate() implements IssuanceRule {
        public Phase phase() { return Phase.VALIDATE; }
    }

    /** The device ID equals the one the caller authenticated with. */
    record SameIdentity(String deviceId) implements IssuanceRule {
        public Phase phase() { return Phase.VALIDATE; }
    }

    /** The certificate the caller authenticated with is recorded and not revoked. */
    record CurrentNotRevoked(String serialHex) implements IssuanceRule {
        public Phase phase() { return Phase.VALIDATE; }
    }

    /** The station's token bucket has a token. */
    record StationRate(String station) implements IssuanceRule {
        public Phase phase() { return Phase.VALIDATE; }
    }

    // --- reserve (undone when signing or recording fails)
    /** One unit of the station's quota. */
    record StationQuota(String station) implements IssuanceRule {
        public Phase phase() { return Phase.RESERVE; }
    }
}
