package dev.imprint.server.up;

import dev.imprint.cluster.Leadership;
import dev.imprint.cluster.LocalBus;
import dev.imprint.cluster.Membership;
import dev.imprint.cluster.NodeBus;
import dev.imprint.cluster.ClusterDatabase;
import dev.imprint.cluster.PgBus;
import dev.imprint.cluster.PgLeadership;
import dev.imprint.cluster.PgMembership;
import dev.imprint.server.config.ImprintConfig;
import java.util.LinkedHashSet;
import java.util.List;
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
        ImprintConfig.Cluster c = config.cluster();
        ClusterDatabase db = new ClusterDatabase(config.store().url(), config.store().user(), config.store().password());
        List<String> roles = c.roles().names(config.hubs().stream().map(ImprintConfig.Hub::name).toList());
        PgMembership membership = new PgMembership(c.node(), new LinkedHashSet<>(roles), address(config), store.nodes(), store.nodeInbox());
        PgBus bus = null;
        PgLeadership leadership = null;
        try {
            // a dead node's sessions go with it (its devices are reconnecting elsewhere); also what a
            // previous run of this node left behind, which start() reports first
            membership.onNodeDead(node -> store.sessions().removeNode(node));
            membership.start();
            bus = PgBus.start(c.node(), store.nodeInbox(), db);
            leadership = new PgLeadership(db, c.node());
            return new ClusterServices(bus, membership, leadership);
        } catch (RuntimeException e) {
            if (bus != null) {
                bus.close();
            }
            membership.close();
            throw e;
        }
    }

    /** What {@code imprint node list} shows for this node: {@code cluster.address}, else its first listener. */
    private static String address(ImprintConfig config) {
        ImprintConfig.Cluster c = config.cluster();
        if (c.address() != null) {
            return c.address();
        }
        if (c.roles().ca() || c.roles().admin()) {
            return c.bind(config.https().listener()).hostPort();
        }
        if (c.roles().dps()) {
            return c.bind(config.dps().https()).hostPort();
        }
        return config.hubs().stream().filter(h -> c.roles().servesHub(h.name())).findFirst()
                .map(h -> c.bind(h.listener()).hostPort()).orElse("-");
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
