package dev.imprint.server.up;

import dev.imprint.cluster.Cluster;
import dev.imprint.cluster.ClusterDatabase;
import dev.imprint.cluster.Leadership;
import dev.imprint.cluster.NodeBus;
import dev.imprint.kafka.KafkaBus;
import dev.imprint.server.config.ImprintConfig;
import dev.imprint.store.Store;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A node's cluster parts as its roles use them ({@link Cluster}): the bus, leadership of single
 * node jobs, and how many live nodes share a role. One process ({@code imprint up}) gets the
 * local ones: an in-process bus, always leader, nothing opened on the database.
 */
public record ClusterServices(Cluster parts) implements AutoCloseable {
    /** The node name of the single process, as its bus knows it. */
    public static final String SINGLE = "local";

    public static ClusterServices open(ImprintConfig config, Store store) {
        return open(config, store, () -> { });
    }

    /**
     * @param onSelfLost called (on a membership thread, perhaps more than once) when this node finds
     *     that the others declared it dead while it ran: its session rows may be gone, so its hubs
     *     must close the device sessions they serve. Never called in one process.
     */
    public static ClusterServices open(ImprintConfig config, Store store, Runnable onSelfLost) {
        ImprintConfig.Cluster c = config.cluster();
        Set<String> roles = new LinkedHashSet<>(c.roles().names(config.hubs().stream().map(ImprintConfig.Hub::name).toList()));
        if (!c.clustered()) {
            return new ClusterServices(Cluster.single(SINGLE, roles, "-"));
        }
        ClusterDatabase db = new ClusterDatabase(config.store().url(), config.store().user(), config.store().password());
        // a dead node's sessions go with its row (the membership clears them), and so does what a
        // previous run of this node left behind
        if (c.bus() == ImprintConfig.Bus.KAFKA) {
            ImprintConfig.Kafka k = config.kafka();
            KafkaBus.Topics topics = new KafkaBus.Topics(k.nodeTopicPrefix(), k.doorbellTopic());
            return new ClusterServices(Cluster.postgres(c.node(), roles, address(config), store, db, onSelfLost,
                    () -> KafkaBus.start(c.node(), k.bootstrap(), topics)));
        }
        return new ClusterServices(Cluster.postgres(c.node(), roles, address(config), store, db, onSelfLost));
    }

    public NodeBus bus() {
        return parts.bus();
    }

    public Leadership leadership() {
        return parts.leadership();
    }

    /** Live nodes running {@code role}, at least 1 (this node counts even before its first heartbeat is read back). */
    public int live(String role) {
        return Math.max(1, parts.membership().live(role).size());
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
        List<ImprintConfig.Hub> hubs = config.hubs().stream().filter(h -> c.roles().servesHub(h.name())).toList();
        return hubs.isEmpty() ? "-" : c.bind(hubs.get(0).listener()).hostPort();
    }

    @Override
    public void close() {
        parts.close();
    }
}
