package dev.imprint.store;

import java.time.Duration;
import java.time.Instant;

/** Another process holds a node name with a live lease: two processes must never share a name. */
public final class NodeNameTakenException extends StoreException {
    private final NodeStore.NodeRow holder;

    /** @param now the database's clock at the refusal, by which the holder's lease is judged */
    public NodeNameTakenException(NodeStore.NodeRow holder, Instant now) {
        super("node name " + holder.name() + " is held by a live process (pid " + holder.pid() + " at " + holder.address() + ", started "
                + holder.startedAt() + ", lease until " + holder.leaseUntil() + "): stop that process; if it is gone, the name frees up at "
                + holder.leaseUntil() + " (in " + secondsUntil(now, holder.leaseUntil()) + " s), or at once for a process on the same"
                + " machine with the same address that finds pid " + holder.pid() + " gone", null);
        this.holder = holder;
    }

    private static long secondsUntil(Instant now, Instant then) {
        // rounded up: "in 0 s" while the lease still runs would send the operator back too early
        return Math.max(0, (Duration.between(now, then).toMillis() + 999) / 1000);
    }

    /** The row of the process that holds the name. */
    public NodeStore.NodeRow holder() {
        return holder;
    }

    /** When the name frees up if its holder is gone (its lease, by the database's clock). */
    public Instant freeAt() {
        return holder.leaseUntil();
    }
}
