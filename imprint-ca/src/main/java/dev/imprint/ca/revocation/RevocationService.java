package dev.imprint.ca.revocation;

import dev.imprint.store.RevokedEntry;
import java.util.List;
import java.util.Optional;

/**
 * Revocation and its publication: per issuing CA a full CRL and a delta CRL (both DER, stored,
 * the same bytes from every CA node; published by one node per CA, the delta within 1 s of a
 * revocation) and an OCSP responder answering from the store.
 */
public interface RevocationService {

    /**
     * The current full CRL of an issuing CA (DER), served at {@code <pki>/crl/<ca>.crl}.
     *
     * @throws dev.imprint.ca.CaException UNKNOWN_CA; UNAVAILABLE before any node published one
     */
    byte[] crl(String ca);

    /**
     * The current delta CRL of an issuing CA (DER), served at {@code <pki>/crl/<ca>-delta.crl}.
     *
     * @throws dev.imprint.ca.CaException UNKNOWN_CA; UNAVAILABLE before any node published one
     */
    byte[] deltaCrl(String ca);

    /**
     * Answers a DER OCSPRequest with a DER OCSPResponse (RFC 6960): good, revoked or unknown
     * per certificate, nonce echoed, signed by the issuing CA. A malformed request gets a
     * {@code malformedRequest} response, never an exception.
     */
    byte[] ocsp(byte[] derRequest);

    /**
     * Revokes one certificate (permanent; a second call keeps the first time and reason) and
     * refreshes the delta CRL within 1 s.
     *
     * @param reason RFC 5280 CRLReason code (0-10 except 7)
     * @return the revocation entry, empty when the serial is unknown
     * @throws dev.imprint.ca.CaException BAD_REQUEST for an invalid serial or reason
     */
    Optional<RevokedEntry> revoke(String serialHex, int reason, String actor);

    /** Revokes every certificate of a device ID; returns the entries (empty when none). */
    List<RevokedEntry> revokeDevice(String deviceId, int reason, String actor);

    /**
     * Tells this node that revocations may have been made on another CA node (the server calls
     * it on the cluster's revocation doorbell). Where this node leads a CA's CRL publication, it
     * publishes a delta CRL with them now; elsewhere nothing happens. Without a call the
     * periodic publication check picks them up within a few seconds. Returns at once (safe to
     * call on a bus thread that must not block).
     *
     * @return completes when the delta CRLs are published (or found current)
     */
    java.util.concurrent.CompletableFuture<Void> revocationsChanged();

    /** Adds a listener told of every new revocation made through this service (hub live revocation). */
    void addListener(RevocationListener listener);
}
