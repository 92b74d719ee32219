package dev.imprint.store;

import java.time.Instant;
import java.util.Optional;

/**
 * Per-CA CRL numbering and the published CRLs themselves (full and delta, DER of any size), so
 * every CA node serves the same bytes and the CRL number never goes back, even across crashes
 * and changes of the node that publishes.
 */
public interface CrlStateStore {

    /** Which of a CA's two CRLs. */
    enum Kind { FULL, DELTA }

    /** Atomically increments and returns the CA's CRL number (first call returns 1). */
    long nextCrlNumber(String ca);

    /**
     * What is published now for this CA, without the bytes: one small row read, cheap enough
     * to run before serving each CRL (to tell whether a cached copy is still current).
     */
    Heads heads(String ca);

    /** The current CRL of this kind with its bytes, read consistently (the bytes belong to that number). */
    Optional<Stored> current(String ca, Kind kind);

    /**
     * Publishes a CRL: it becomes current only when its number is higher than the current one's
     * of its kind, and a delta only when its base is still the current full CRL. So a slow or
     * deposed publisher never replaces a newer CRL, and what is served only moves forward.
     *
     * @return true when it became current; false when a newer one was there (nothing kept)
     */
    boolean publish(Published crl, byte[] der);

    /**
     * A published CRL, without its bytes.
     *
     * @param baseNumber of a delta: the full CRL it is a delta to; 0 for a full CRL
     * @param revocationSeq the highest revocation seq it covers
     */
    record Published(String ca, Kind kind, long crlNumber, long baseNumber, long revocationSeq, Instant thisUpdate) {}

    /** A published CRL with its DER. */
    record Stored(Published meta, byte[] der) {}

    /** The current full and delta CRL of a CA; either is null when none is published yet. */
    record Heads(Published full, Published delta) {
        public static final Heads NONE = new Heads(null, null);
    }
}
