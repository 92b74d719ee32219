package dev.imprint.store;

import java.util.List;
import java.util.Optional;

/** DPS enrollments. */
public interface EnrollmentStore {

    /** @throws StoreException when an enrollment of that name, or an individual one for that device, exists */
    void add(EnrollmentRecord enrollment);

    /** Replaces everything but the name and creation time; returns false when unknown. */
    boolean update(EnrollmentRecord enrollment);

    Optional<EnrollmentRecord> find(String name);

    /** The individual enrollment of a registration ID, if any. */
    Optional<EnrollmentRecord> findIndividual(String deviceId);

    /** Every enrollment, by name. */
    List<EnrollmentRecord> list();

    boolean setEnabled(String name, boolean enabled, java.time.Instant at);

    boolean remove(String name);
}
