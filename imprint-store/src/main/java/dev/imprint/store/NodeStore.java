package dev.imprint.store;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/** The node table of a cluster ({@code nodes}): each node's row, kept alive by its heartbeat. */
public interface NodeStore {

    /** @param leaseUntil the node is dead after this unless its heartbeat extends it */
    record NodeRow(String name, Set<String> roles, String address, long pid, Instant startedAt, Instant heartbeatAt, Instant leaseUntil) {}

    /**
     * Registers (or re-registers, after a restart) a node.
     *
     * @throws StoreException NODE_NAME_TAKEN when a live node of that name with another start time holds the row
     */
    void register(NodeRow row);

    /** Extends the lease; false when the row is gone (the others declared this node dead). */
    boolean heartbeat(String name, Instant at, Instant leaseUntil);

    List<NodeRow> list();

    /** Deletes the row (clean stop, or a dead node's janitor). */
    void remove(String name);
}
