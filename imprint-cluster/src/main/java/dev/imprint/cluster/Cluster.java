package dev.imprint.cluster;

import dev.imprint.store.Store;
import java.util.Set;
import java.util.function.Consumer;

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
     * @param onNodeDead called with the name of each node found dead (and with this node's own name
     *     when it registers): remove its sessions there; idempotent
     * @throws dev.imprint.store.NodeNameTakenException when a live process holds the name
     */
    public static Cluster postgres(String node, Set<String> roles, String address, Store store, ClusterDatabase database,
            Consumer<String> onNodeDead) {
        PgMembership membership = new PgMembership(node, roles, address, store.nodes(), store.nodeInbox());
        membership.onNodeDead(onNodeDead);
        membership.start();
        try {
            return new Cluster(membership, PgBus.start(node, store.nodeInbox(), database), new PgLeadership(database, node));
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
