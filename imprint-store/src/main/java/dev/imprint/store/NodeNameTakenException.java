package dev.imprint.store;

/** Another process holds a node name with a live lease: two processes must never share a name. */
public final class NodeNameTakenException extends StoreException {
    private final NodeStore.NodeRow holder;

    public NodeNameTakenException(NodeStore.NodeRow holder) {
        super("node name " + holder.name() + " is held by a live process (pid " + holder.pid() + ", started " + holder.startedAt()
                + ", lease until " + holder.leaseUntil() + "): stop that process, or wait for its lease to run out", null);
        this.holder = holder;
    }

    /** The row of the process that holds the name. */
    public NodeStore.NodeRow holder() {
        return holder;
    }
}
