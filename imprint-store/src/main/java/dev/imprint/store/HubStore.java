package dev.imprint.store;

import java.util.List;
import java.util.Optional;

/** The IoT hubs known to the provisioning service. */
public interface HubStore {

    /** @throws StoreException when a hub of that name exists */
    void add(HubRecord hub);

    /** Replaces the hub's hostname, endpoint, region and weight; returns false when unknown. */
    boolean update(HubRecord hub);

    Optional<HubRecord> find(String name);

    /** Every hub, by name. */
    List<HubRecord> list();

    /** Returns false when unknown. Devices assigned to it keep their record (and are moved on reprovisioning). */
    boolean remove(String name);
}
