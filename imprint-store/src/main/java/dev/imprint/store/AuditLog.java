package dev.imprint.store;

import java.util.List;
import java.util.Optional;

/**
 * A tamper-evident log: each entry carries the hash of the one before it.
 *
 * <p>State changes that must not exist without their entry append it in their own transaction
 * instead of calling this interface: {@link CertificateStore#insertAll(List, Entry)},
 * {@link CertificateStore#revoke(String, int, java.time.Instant, Entry)},
 * {@link StationStore#create(StationRecord, Entry)}, {@link StationStore#revoke(String, Entry)}
 * and {@link Ledger#recordAll(List, java.util.function.IntFunction)}. They share this log's
 * chain and its serialization.
 */
public interface AuditLog {

    /**
     * Appends an entry durably; chain order is the order of successful appends. Appends are
     * serialized (also across processes sharing the database), so the chain never forks.
     *
     * @param subject may be null
     * @param detailsJson a JSON object, may be null
     * @throws StoreException when the database fails (nothing is appended)
     */
    AuditEvent append(String type, String actor, String subject, String detailsJson);

    /**
     * Appends several entries in one transaction (one durable write for a batch of issuances),
     * consecutive in the chain, in list order. All or nothing.
     *
     * @throws StoreException when the database fails (nothing is appended)
     */
    List<AuditEvent> appendAll(List<Entry> entries);

    /** Entries with seq greater than {@code afterSeq}, in seq order, at most {@code limit}. */
    List<AuditEvent> list(long afterSeq, int limit);

    /**
     * The newest entries first, at most {@code limit}, with seq below {@code beforeSeq}
     * ({@code Long.MAX_VALUE} for the newest), made by one of {@code actors} (empty: by anyone).
     */
    List<AuditEvent> latest(java.util.Collection<String> actors, long beforeSeq, int limit);

    /**
     * Recomputes the chain from the first entry: each entry's hash over its own content, its
     * link to the previous entry, gap-free numbering, and the recorded chain head (which
     * catches entries deleted from the end).
     *
     * @return the first entry whose hash or link does not match, empty when intact
     */
    Optional<AuditBreak> verify();

    /** Names the first broken entry ({@code seq}) and what is wrong with it. */
    record AuditBreak(long seq, String why) {}

    /** An entry to append (see {@link #append}). */
    record Entry(String type, String actor, String subject, String detailsJson) {}
}
