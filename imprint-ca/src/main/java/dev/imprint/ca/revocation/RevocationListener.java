package dev.imprint.ca.revocation;

/**
 * Told of every new revocation in this process, right after it is durable (the hubs end the
 * certificate's live sessions). Called on the revoking thread: return quickly; an exception is
 * logged and ignored.
 */
@FunctionalInterface
public interface RevocationListener {
    void revoked(String ca, String serialHex);
}
