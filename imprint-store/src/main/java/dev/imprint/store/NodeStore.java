package dev.imprint.store;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The node table of a cluster ({@code nodes}): each node's row, kept alive by its heartbeat.
 *
 * <p>A row belongs to one process: the name with its {@code pid} and {@code startedAt}. A row whose
 * lease ran out may still be revived by its own heartbeat (the database was unreachable for a
 * while: a failover must not drop every node) until a live node's janitor
 * {@linkplain #declareDead declares it dead}; from then on its heartbeat fails, so the process learns
 * that the others may have cleared what it held and registers again. Liveness is judged by the
 * callers' clocks, which must agree to well within a lease.
 */
public interface NodeStore {

    /**
     * A node's row. Times are kept to the millisecond: pass {@code startedAt} truncated to the
     * millisecond, so that the row read back is equal to the one registered.
     *
     * @param leaseUntil the node is dead after this unless its heartbeat extends it
     */
    record NodeRow(String name, Set<String> roles, String address, long pid, Instant startedAt, Instant heartbeatAt, Instant leaseUntil) {
        public NodeRow {
            roles = Set.copyOf(roles);
        }

        /** Same process: same name, pid and start time. */
        public boolean sameProcess(NodeRow other) {
            return name.equals(other.name) && pid == other.pid && startedAt.equals(other.startedAt);
        }

        public boolean live(Instant now) {
            return leaseUntil.isAfter(now);
        }
    }

    /**
     * Registers (or re-registers, after its lease ran out) a node; {@code row.heartbeatAt()} is now.
     *
     * @throws NodeNameTakenException when another process holds the name with a live lease
     */
    void register(NodeRow row);

    /**
     * Extends the lease of {@code self}'s row; false when that row is gone, belongs to another
     * process, or was declared dead (the others may have cleared what this node held: it must
     * register again).
     */
    boolean heartbeat(NodeRow self, Instant at, Instant leaseUntil);

    /** Every row, live and dead, by name. */
    List<NodeRow> list();

    /** Deletes {@code self}'s own row (clean stop); false when it was not there. */
    boolean remove(NodeRow self);

    /**
     * The janitor's first step: marks {@code dead}'s row dead if it is still that process's row and
     * its lease ran out at {@code now}, so that its heartbeat can no longer revive it. True when the
     * row is dead now (also when another janitor marked it before).
     */
    boolean declareDead(NodeRow dead, Instant now);

    /** The janitor's last step, after the dead node's other rows are cleared: deletes its row if it was declared dead. */
    boolean removeDead(NodeRow dead);
}
