package dev.imprint.cluster;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Membership of one process ({@code imprint up}): this node is the cluster, always live. No
 * table, no heartbeat, no thread; no node ever dies or loses its lease, so listeners and hooks are
 * never called.
 */
public final class LocalMembership implements Membership {
    private final NodeInfo self;

    public LocalMembership(String name, Set<String> roles, String address) {
        this.self = new NodeInfo(name, roles, address, ProcessHandle.current().pid(), Instant.now(), Instant.MAX, 0);
    }

    @Override
    public String self() {
        return self.name();
    }

    @Override
    public List<NodeInfo> nodes() {
        return List.of(self);
    }

    @Override
    public List<NodeInfo> live(String role) {
        return self.roles().contains(role) ? List.of(self) : List.of();
    }

    @Override
    public void onNodeDead(Consumer<String> listener) {
        // one process: no other node can die
    }

    @Override
    public void onSelfLost(Runnable hook) {
        // one process: no one else can declare it dead
    }

    @Override
    public void close() {
        // nothing held
    }
}
