package dev.imprint.store;

import java.util.List;

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

    /** A page of entries in the order they were provisioned; {@code batch} null means all batches. */
    List<LedgerEntry> list(String batch, int limit, int offset);

    /** Entries of one batch, or all when {@code batch} is null. */
    long count(String batch);
}
