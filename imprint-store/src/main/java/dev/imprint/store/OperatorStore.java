package dev.imprint.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Operator accounts (table {@code operators}), shared by every admin node. */
public interface OperatorStore {

    /**
     * Records a new account and its audit entry in one transaction.
     *
     * @throws StoreException when an account of that name exists (revoked or not) or the database fails
     */
    void create(OperatorRecord operator, AuditLog.Entry audit);

    Optional<OperatorRecord> find(String name);

    /** Every account, revoked ones included, by name. */
    List<OperatorRecord> list();

    /**
     * Marks a live account revoked at {@code at}, with its audit entry, in one transaction.
     *
     * @return false when there is no live account of that name (nothing written)
     */
    boolean revoke(String name, Instant at, AuditLog.Entry audit);
}
