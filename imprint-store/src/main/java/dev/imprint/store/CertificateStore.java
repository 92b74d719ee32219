package dev.imprint.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/** Issued certificates and their revocation. */
public interface CertificateStore {

    /**
     * Records a batch of certificates in one transaction (group commit) and makes it durable
     * before returning. All or nothing.
     *
     * @throws DuplicateSerialException if any serial is already recorded (nothing is written)
     */
    void insertAll(List<CertificateRecord> records);

    /**
     * Records a batch of certificates and appends {@code audit} to the audit chain in one
     * transaction (one durable write): after a crash either both are there or neither. The
     * entry takes the next place in the chain, serialized with every other append (as
     * {@link AuditLog#append}). An empty batch appends the entry alone.
     *
     * @return the appended audit event
     * @throws DuplicateSerialException if any serial is already recorded (nothing is written,
     *     no audit entry either)
     * @throws StoreException when the database fails (nothing is written)
     */
    AuditEvent insertAll(List<CertificateRecord> records, AuditLog.Entry audit);

    /**
     * Records a batch and its audit entry as {@link #insertAll(List, AuditLog.Entry)} does, under
     * the rule "one live certificate per identity" for the records whose serial is in
     * {@code soleLive}: such a record is written only when, at commit, its identity has no live
     * certificate of its kind, neither recorded nor earlier in this batch (live: unrevoked and
     * unexpired; one not valid yet counts too, as nodes' clocks differ).
     * The check and the write are one step for every node on the database: on PostgreSQL the
     * transaction first takes a transaction-scoped advisory lock per identity (hashed into a fixed
     * set of stripes, so a batch holds a bounded number of locks), so two nodes recording the
     * same identity at once are ordered and the second sees the first; SQLite has one writer.
     * The other records are written as they are.
     *
     * @param audit makes the batch's one audit entry from the records actually written (in
     *     batch order); not called, and nothing appended, when nothing is written
     * @return the appended audit event (null when nothing was written) and the records refused
     *     (nothing of them written)
     * @throws DuplicateSerialException if any serial is already recorded (nothing is written)
     * @throws StoreException when the database fails (nothing is written)
     */
    Recorded insertAll(List<CertificateRecord> records, Set<String> soleLive,
            Function<List<CertificateRecord>, AuditLog.Entry> audit);

    /** What {@link #insertAll(List, Set, Function)} did: the audit event (null when nothing was written) and the records it refused. */
    record Recorded(AuditEvent audit, List<CertificateRecord> refused) {}

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

    /**
     * Revokes a certificate as {@link #revoke(String, int, Instant)} does and, in the same
     * transaction, appends {@code audit} to the audit chain, only when this call is the one that
     * revoked it (a repeat appends nothing).
     *
     * @return the revocation, {@link Revocation#fresh()} when this call made it; empty when the
     *     serial is unknown (nothing appended)
     * @throws IllegalArgumentException for a reason code outside RFC 5280
     * @throws StoreException when the database fails (neither written)
     */
    Optional<Revocation> revoke(String serialHex, int reason, Instant at, AuditLog.Entry audit);

    /**
     * Revokes many certificates in one transaction (one durable write) and appends {@code audit}
     * once, when this call revoked at least one of them: mass revocation (everything a
     * compromised station made, a recalled batch) without one commit per certificate. Unknown
     * serials are skipped; already revoked ones keep their first revocation.
     *
     * @return the revocations of the known serials, in the order given
     * @throws IllegalArgumentException for a reason code outside RFC 5280
     * @throws StoreException when the database fails (nothing written)
     */
    List<Revocation> revokeAll(List<String> serialHexes, int reason, Instant at, AuditLog.Entry audit);

    /** A revocation entry and whether the call that returned it made it ({@code fresh}) or found it. */
    record Revocation(RevokedEntry entry, boolean fresh) {}

    /** Revoked entries of one CA whose seq is greater than {@code afterSeq}, in seq order. */
    void forEachRevoked(String ca, long afterSeq, Consumer<RevokedEntry> sink);

    /** The highest revocation seq of this CA (0 when none). */
    long lastRevocationSeq(String ca);

    /** The highest revocation seq of every CA that has revoked anything (absent: 0). */
    java.util.Map<String, Long> lastRevocationSeqs();

    long count();

    /**
     * Retention: deletes at most {@code limit} device certificates (kind {@code device}, factory
     * and operational) of {@code ca} whose notAfter lies before {@code expiredBefore}, in one
     * transaction. Other kinds (stations, operators, admin, nodes, servers) are never deleted:
     * their rows are read by serial for as long as the accounts exist. Revocation counters are
     * kept, so seqs are never reused and delta CRLs stay ordered; audit entries are never touched.
     * The caller picks {@code expiredBefore} at or before now: a certificate still valid, or a
     * revoked one a CRL must still list, is then never among them.
     *
     * @return how many rows were deleted, and how many of those had been revoked
     * @throws IllegalArgumentException when {@code limit} is not positive
     */
    Pruned pruneExpired(String ca, Instant expiredBefore, int limit);

    /** What {@link #pruneExpired} deleted: {@code rows} certificates, {@code revoked} of them revoked. */
    record Pruned(int rows, int revoked) {}
}
