package dev.imprint.store;

import java.util.List;
import java.util.Optional;

/** Stations and their counters. */
public interface StationStore {

    /** @throws StoreException when a station of that name exists */
    void create(StationRecord station);

    /**
     * Creates the station and appends {@code audit} to the audit chain in one transaction.
     *
     * @throws StoreException when a station of that name exists or the database fails (neither written)
     */
    void create(StationRecord station, AuditLog.Entry audit);

    Optional<StationRecord> find(String name);

    List<StationRecord> list();

    /** Marks the station revoked; returns false when unknown. */
    boolean revoke(String name);

    /**
     * Marks the station revoked and appends {@code audit} in one transaction; nothing is appended
     * when the station is unknown.
     *
     * @return false when unknown
     * @throws StoreException when the database fails (neither written)
     */
    boolean revoke(String name, AuditLog.Entry audit);

    /**
     * Atomically adds {@code n} to the station's issued count if that stays within its quota.
     *
     * @return true when reserved, false when the quota would be exceeded
     */
    boolean reserve(String name, int n);

    /** Gives back a reservation that did not lead to an issuance. */
    void release(String name, int n);
}
