package dev.imprint.store;

import java.util.Optional;

/** Per-CA CRL numbering, so the CRL number never goes back, even across crashes. */
public interface CrlStateStore {

    /** Atomically increments and returns the CA's CRL number (first call returns 1). */
    long nextCrlNumber(String ca);

    /** The last published full CRL of this CA, if any. */
    Optional<PublishedCrl> lastFull(String ca);

    /** Records a published full CRL (base of later deltas). */
    void saveFull(PublishedCrl crl);

    /**
     * A published full CRL.
     *
     * @param revocationSeq the highest revocation seq it covers
     */
    record PublishedCrl(String ca, long crlNumber, long revocationSeq, java.time.Instant thisUpdate, byte[] der) {}
}
