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
     * Called with the name of a node found dead, on a thread of the membership's own (never the
     * heartbeat's: a slow listener must not let this node's lease lapse), before the dead node's
     * rows (sessions, messages, node row) are deleted together. Never called with this node's own
     * name. Each death is reported at least once in the cluster, possibly on several nodes:
     * listeners must be idempotent; one that throws makes the janitor try again on its next round.
     */
    void onNodeDead(Consumer<String> listener);

    /**
     * Called when this node learns that the others declared it dead while it was running (it was
     * frozen, or cut from the database, for longer than its lease): its session rows and messages
     * may be gone, so whatever it serves on their strength (device sessions) must end now. Called
     * on the membership's own thread after this node registered again, and on every later
     * heartbeat that still finds the row lost; the hook must be idempotent and may be slow.
     */
    void onSelfLost(Runnable hook);

    @Override
    void close();
}
