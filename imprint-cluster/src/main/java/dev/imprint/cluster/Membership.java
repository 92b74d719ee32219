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

    /** Called on the membership thread with the name of a node found dead, after its rows were removed. */
    void onNodeDead(Consumer<String> listener);

    @Override
    void close();
}
