package dev.imprint.ca.ledger;

import dev.imprint.store.LedgerEntry;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The factory ledger at the CA. A station reports each device it provisioned (certificate
 * installed, possession proof checked); the CA records it only for certificates that station
 * itself obtained, for the device ID they carry, while the station is in good standing.
 */
public interface LedgerService {

    /**
     * A station's report of one provisioned device.
     *
     * @param deviceId the device ID the certificate carries
     * @param serialHex the certificate's serial (hex, any case)
     * @param provisionedAt when the station checked the possession proof
     */
    record Confirmation(String deviceId, String serialHex, Instant provisionedAt) {}

    /**
     * Records the confirmations of one batch, all or nothing; idempotent by serial.
     *
     * @param peerChain the station's TLS client chain, leaf first
     * @return the recorded entries (with the key fingerprint and station from the CA's records)
     * @throws dev.imprint.ca.CaException AUTH_REQUIRED / AUTH_REFUSED for a missing, foreign or
     *     revoked station certificate; BAD_REQUEST for a bad batch name or an empty or oversized
     *     list; NOT_FOUND for an unknown serial; IDENTITY_MISMATCH when the serial was not
     *     issued to this station or carries another device ID; DEVICE_HAS_LIVE_CERTIFICATE is
     *     never raised here
     */
    List<LedgerEntry> confirm(List<X509Certificate> peerChain, String batch, List<Confirmation> confirmations);

    /**
     * The newest unrevoked certificate this station obtained for {@code deviceId}: lets a
     * station that crashed between enrollment and its journal write install the certificate
     * the CA already issued, instead of asking for a second one.
     *
     * @return the DER certificate, empty when this station holds none for that ID
     * @throws dev.imprint.ca.CaException AUTH_REQUIRED / AUTH_REFUSED as for {@link #confirm}
     */
    Optional<byte[]> stationCertificate(List<X509Certificate> peerChain, String deviceId);

    /** A page of the ledger in provisioning order; {@code batch} null means all. */
    default List<LedgerEntry> list(String batch, int limit, int offset) {
        return list(batch, null, limit, offset);
    }

    /** As {@link #list(String, int, int)}, of one station's entries when {@code station} is not null. */
    List<LedgerEntry> list(String batch, String station, int limit, int offset);

    /** Entries in a batch (or all when null). */
    default long count(String batch) {
        return count(batch, null);
    }

    /** As {@link #count(String)}, of one station's entries when {@code station} is not null. */
    long count(String batch, String station);
}
