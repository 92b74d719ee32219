package dev.imprint.cluster;

import dev.imprint.store.Store;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The cluster parts of one node, built and closed in the one right order: membership first (the
 * row exists before any message is addressed to it, and a previous run's leftovers are cleared
 * before the bus reads), leadership and bus after; closed the other way round.
 *
 * @param membership this node's place among the nodes
 * @param bus messages and doorbells between nodes
 * @param leadership single-node jobs (CRL publication)
 */
public record Cluster(Membership membership, NodeBus bus, Leadership leadership) implements AutoCloseable {

    /** One process ({@code imprint up}): local parts only, nothing opened on the database. */
    public static Cluster single(String node, Set<String> roles, String address) {
        return new Cluster(new LocalMembership(node, roles, address), new LocalBus(node), Leadership.single());
    }

    /**
     * A node of a cluster on PostgreSQL, with the default timings (heartbeat 2 s, lease 10 s,
     * inbox backstop 1 s, doorbell backstop 5 s).
     *
     * @param store the node's store (on {@code database})
     * @param database the same database, for the dedicated LISTEN and lock connections
     * <p>The membership keeps the session directory in step with the node table itself: a node's
     * sessions go with its row (at registration, clean stop, and when the janitor clears a dead node).
     *
     * @param onSelfLost called when this node finds it was declared dead while running
     *     ({@link Membership#onSelfLost}): end the device sessions it serves; idempotent
     * @throws dev.imprint.store.NodeNameTakenException when a live process holds the name
     */
    public static Cluster postgres(String node, Set<String> roles, String address, Store store, ClusterDatabase database,
            Runnable onSelfLost) {
        return postgres(node, roles, address, store, database, onSelfLost, () -> PgBus.start(node, store.nodeInbox(), database));
    }

    /**
     * The same with another bus (Kafka's, which this module does not know), opened once the
     * membership has started.
     */
    public static Cluster postgres(String node, Set<String> roles, String address, Store store, ClusterDatabase database,
            Runnable onSelfLost, Supplier<NodeBus> bus) {
        PgMembership membership = new PgMembership(node, roles, address, store.nodes(), store.nodeInbox());
        membership.onSelfLost(onSelfLost);
        membership.start();
        try {
            return new Cluster(membership, bus.get(), new PgLeadership(database, node));
        } catch (RuntimeException e) {
            membership.close();
            throw e;
        }
    }

    /** Closes leadership (releasing its locks), then the bus, then the membership (deleting this node's row). */
    @Override
    public void close() {
        try {
            leadership.close();
            bus.close();
        } finally {
            membership.close();
        }
    }
}
