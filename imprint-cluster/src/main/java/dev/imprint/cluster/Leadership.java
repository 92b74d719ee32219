package dev.imprint.cluster;

/**
 * Which node does a job only one node may do at a time (publishing a CA's CRLs). On
 * PostgreSQL: a session advisory lock per key on a dedicated, never-pooled connection, so the
 * lock dies with the connection (and with the node); standbys try again now and then. In one
 * process: always this node.
 */
public interface Leadership extends AutoCloseable {

    /**
     * Whether this node leads {@code key} now, taking the lead when it is free. Cheap enough to
     * call before each publication; a leader cut off from the database answers false (fencing).
     */
    boolean lead(String key);

    @Override
    default void close() {
    }

    /** One process: this node always leads. */
    static Leadership single() {
        return key -> true;
    }
}
