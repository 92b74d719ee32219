package dev.imprint.store;

import java.time.Duration;
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
 * that the others may have cleared what it held and registers again.
 *
 * <p>Leases are written and judged with the database's clock ({@link #now()}), never a node's:
 * two nodes whose clocks disagree by minutes still agree on who is live. (SQLite: the clock of the
 * one machine that opens the file.)
 *
 * <p>What a node holds besides its row (its session directory entries and its inbox) goes with the
 * row: {@link #register} clears what an earlier process of the name left, {@link #remove} and
 * {@link #removeDead} delete it in the same transaction as the row, so a process that registers the
 * name again never loses a claim made after its registration.
 */
public interface NodeStore {

    /**
     * A node's row. Times are kept to the millisecond: pass {@code startedAt} truncated to the
     * millisecond, so that the row read back is equal to the one registered.
     *
     * @param heartbeatAt when the last heartbeat was written, by the database's clock
     * @param leaseUntil the node is dead after this (database clock) unless its heartbeat extends it
     */
    record NodeRow(String name, Set<String> roles, String address, long pid, Instant startedAt, Instant heartbeatAt, Instant leaseUntil) {
        public NodeRow {
            roles = Set.copyOf(roles);
        }

        /** Same process: same name, pid and start time. */
        public boolean sameProcess(NodeRow other) {
            return name.equals(other.name) && pid == other.pid && startedAt.equals(other.startedAt);
        }

        /** @param now the database's clock ({@link NodeStore#now()}) */
        public boolean live(Instant now) {
            return leaseUntil.isAfter(now);
        }
    }

    /**
     * Registers (or re-registers, after it was declared dead) a process under its name, with a lease
     * of {@code lease} from the database's now; {@code self}'s heartbeat and lease fields are not
     * used. In the same transaction it deletes the name's session directory entries and inbox: what
     * an earlier process (or this one, before it was declared dead) left there is stale.
     *
     * @return the row as written
     * @throws NodeNameTakenException when another process holds the name with a live lease
     */
    NodeRow register(NodeRow self, Duration lease);

    /**
     * Extends the lease of {@code self}'s row to the database's now + {@code lease}; false when that
     * row is gone, belongs to another process, or was declared dead (the others may have cleared
     * what this node held: it must register again).
     */
    boolean heartbeat(NodeRow self, Duration lease);

    /** Every row, live and dead, by name. */
    List<NodeRow> list();

    /** The database's clock, by which leases are judged. */
    Instant now();

    /**
     * A clean stop: deletes {@code self}'s own row, and with it the name's session entries and
     * inbox. False, deleting nothing, when the row is not {@code self}'s (never registered, declared
     * dead and cleared, or another process's: a refused start must not touch the holder's rows).
     */
    boolean remove(NodeRow self);

    /**
     * The janitor's first step: marks {@code dead}'s row dead if it is still that process's row and
     * its lease ran out by the database's clock, so that its heartbeat can no longer revive it. True
     * when the row is dead now (also when another janitor marked it before).
     */
    boolean declareDead(NodeRow dead);

    /**
     * Marks {@code gone}'s row dead whatever its lease, when its process is known to be gone (it
     * crashed and a new process of the same name on the same machine takes the name over at once
     * instead of waiting out the lease). False when the row is no longer that process's.
     */
    boolean evict(NodeRow gone);

    /**
     * The janitor's last step: if {@code dead}'s row is still that process's and declared dead,
     * deletes its session entries, its inbox and the row, in one transaction (locking the row, so a
     * re-registration of the name waits for it or makes it a no-op). False when the name was
     * registered again meanwhile (its new claims stay) or the row is already gone.
     */
    boolean removeDead(NodeRow dead);

    /**
     * Deletes the session entries of nodes that have no row at all (a claim that committed after its
     * node's clean stop, or after its row was cleared); returns how many. Costs a scan of the
     * session table: run it seldom.
     */
    int removeOrphanSessions();
}
