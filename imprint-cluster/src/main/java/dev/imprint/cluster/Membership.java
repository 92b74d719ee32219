package dev.imprint.cluster;

import java.util.List;
import java.util.function.Consumer;

/**
 * This node's place in the cluster: its row in the node table, kept alive by a heartbeat that
 * extends its lease, and the other nodes as their rows say. A node whose lease ran out is dead:
 * the live nodes remove its rows (sessions, messages) and tell the listeners.
 */
public interface Membership extends AutoCloseable {

    /** This node's name. */
    String self();

    /** Every node in the table, live and dead, by name. */
    List<NodeInfo> nodes();

    /** The live nodes that run {@code role} ({@code ca}, {@code admin}, {@code dps}, {@code hub:NAME}). */
    List<NodeInfo> live(String role);

    /**
     * Called on the membership thread with the name of a node found dead, before its node row is
     * deleted (its messages are already gone): remove what it held there (its sessions). Also called
     * with this node's own name when it registers (at start, and again after it was declared dead):
     * what the tables still hold for it is stale. Each death is reported at least once in the
     * cluster, possibly on several nodes: listeners must be idempotent; one that throws makes the
     * janitor try again on its next round.
     */
    void onNodeDead(Consumer<String> listener);

    @Override
    void close();
}
