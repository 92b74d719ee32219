package dev.imprint.server.up;

import dev.imprint.cluster.Leadership;
import dev.imprint.cluster.LocalBus;
import dev.imprint.cluster.Membership;
import dev.imprint.cluster.NodeBus;
import dev.imprint.server.config.ImprintConfig;
import dev.imprint.store.Store;

/**
 * What a node shares with the other nodes beyond the store: the bus, its membership in the node
 * table, and leadership of single-node jobs. One process ({@code imprint up}) gets the local
 * ones: an in-process bus, always leader, no node table, nothing opened on the database.
 *
 * @param membership null in one process
 */
public record ClusterServices(NodeBus bus, Membership membership, Leadership leadership) implements AutoCloseable {
    /** The node name of the single process, as its bus knows it. */
    public static final String SINGLE = "local";

    public static ClusterServices open(ImprintConfig config, Store store) {
        if (!config.cluster().clustered()) {
            return new ClusterServices(new LocalBus(SINGLE), null, Leadership.single());
        }
        // until the PostgreSQL bus is wired, a node runs with a bus of its own (no cross-node messages)
        return new ClusterServices(new LocalBus(config.cluster().node()), null, Leadership.single());
    }

    /** Live nodes running {@code role}, at least 1 (this node counts even before its first heartbeat is read back). */
    public int live(String role) {
        return membership == null ? 1 : Math.max(1, membership.live(role).size());
    }

    @Override
    public void close() {
        // leadership first: a standby takes over while this node still stops its roles
        leadership.close();
        bus.close();
        if (membership != null) {
            membership.close();
        }
    }
}
