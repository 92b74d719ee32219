package dev.imprint.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Issued certificates and their revocation. */
public interface CertificateStore {

    /**
     * Records a batch of certificates in one transaction (group commit) and makes it durable
     * before returning. All or nothing.
     *
     * @throws DuplicateSerialException if any serial is already recorded (nothing is written)
     */
    void insertAll(List<CertificateRecord> records);

    Optional<CertificateRecord> findBySerial(String serialHex);

    /** Certificates carrying this identity, newest first. */
    List<CertificateRecord> findByDevice(String deviceId);

    /** Unrevoked, unexpired certificates of this identity and kind at time {@code now}. */
    List<CertificateRecord> findLive(String deviceId, String kind, Instant now);

    /**
     * Whether {@link #findLive} would return anything, without reading the records: the check
     * on the issuance path.
     */
    boolean hasLive(String deviceId, String kind, Instant now);

    /** A page of certificates, newest first; {@code deviceId} null means all. */
    List<CertificateRecord> list(String deviceId, int limit, int offset);

    /**
     * Revokes a certificate. Revocation is permanent: a second call does not change the
     * first time or reason.
     *
     * @return the revocation entry (existing or new), empty when the serial is unknown
     */
    Optional<RevokedEntry> revoke(String serialHex, int reason, Instant at);

    /** Revoked entries of one CA whose seq is greater than {@code afterSeq}, in seq order. */
    void forEachRevoked(String ca, long afterSeq, Consumer<RevokedEntry> sink);

    /** The highest revocation seq of this CA (0 when none). */
    long lastRevocationSeq(String ca);

    long count();
}
