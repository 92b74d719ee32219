package dev.imprint.store;

import java.util.List;
import java.util.function.IntFunction;

/** The factory ledger: which device was provisioned with which certificate, by which station, in which batch. */
public interface Ledger {

    /**
     * Records entries in one durable transaction. Idempotent by serial: an entry whose serial is
     * already recorded is left as it was (a station resending after a crash changes nothing).
     *
     * @return how many entries were new
     * @throws StoreException when the database fails (nothing is written)
     */
    int recordAll(List<LedgerEntry> entries);

    /**
     * Records entries as {@link #recordAll(List)} does and, in the same transaction, appends the
     * audit entry {@code audit} makes from the number of new entries (not called, nothing
     * appended, when none is new; it may return null to append nothing).
     *
     * @return how many entries were new
     * @throws StoreException when the database fails (neither written)
     */
    int recordAll(List<LedgerEntry> entries, IntFunction<AuditLog.Entry> audit);

    /** A page of entries in the order they were provisioned; {@code batch} null means all batches. */
    default List<LedgerEntry> list(String batch, int limit, int offset) {
        return list(batch, null, limit, offset);
    }

    /** As {@link #list(String, int, int)}, of one station's entries when {@code station} is not null. */
    List<LedgerEntry> list(String batch, String station, int limit, int offset);

    /** Entries of one batch, or all when {@code batch} is null. */
    default long count(String batch) {
        return count(batch, null);
    }

    /** As {@link #count(String)}, of one station's entries when {@code station} is not null. */
    long count(String batch, String station);
}
