package dev.imprint.cluster;

import dev.imprint.store.NodeInbox;
import dev.imprint.store.NodeStore;
import dev.imprint.store.NodeStore.NodeRow;
import dev.imprint.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Membership on the node table. {@link #start()} registers this process's row (refused with
 * {@link dev.imprint.store.NodeNameTakenException} while another live process holds the name);
 * every {@code heartbeat} (2 s) the membership thread extends the lease to now + {@code lease}
 * (10 s) and runs the janitor.
 *
 * <p>The janitor, on every node: for each row whose lease ran out, it declares the node dead
 * (from then on that process's heartbeat fails), deletes its inbox, calls the {@link #onNodeDead}
 * listeners (the server removes the node's sessions there), and deletes the row last: a janitor
 * that crashes halfway leaves the row for the next one, so each dead node is cleared at least
 * once, perhaps by two nodes at once (listeners must be idempotent). A node that was only frozen
 * learns from its failed heartbeat that it was declared dead: it logs loudly and registers again.
 * A lease that lapsed while the database was unreachable is revived by the next heartbeat if no
 * janitor declared the node dead meanwhile; a janitor judges others only after two heartbeats of
 * its own in a row succeeded.
 */
public final class PgMembership implements Membership {
    private static final Logger LOG = LoggerFactory.getLogger(PgMembership.class);
    public static final Duration HEARTBEAT = Duration.ofSeconds(2);
    public static final Duration LEASE = Duration.ofSeconds(10);

    private final NodeStore nodes;
    private final NodeInbox inbox;
    private final NodeRow identity;
    private final Duration heartbeat;
    private final Duration lease;
    private final Clock clock = Clock.systemUTC();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService thread;
    private ScheduledFuture<?> beating;
    /** Successful heartbeats in a row (membership thread only). */
    private int steadyBeats;
    private volatile ToIntFunction<String> sessions = node -> 0;

    /** A membership with the default heartbeat (2 s) and lease (10 s); call {@link #start()}. */
    public PgMembership(String name, Set<String> roles, String address, NodeStore nodes, NodeInbox inbox) {
        this(name, roles, address, nodes, inbox, HEARTBEAT, LEASE);
    }

    /**
     * @param name this node's name ({@code --node})
     * @param roles its roles ({@code ca}, {@code admin}, {@code dps}, {@code hub:NAME})
     * @param address its advertised address
     * @param heartbeat how often the lease is extended and the janitor runs; well below {@code lease}
     */
    public PgMembership(String name, Set<String> roles, String address, NodeStore nodes, NodeInbox inbox, Duration heartbeat, Duration lease) {
        this(name, roles, address, nodes, inbox, heartbeat, lease, ProcessHandle.current().pid());
    }

    /** Tests: two memberships in one JVM as two processes. */
    PgMembership(String name, Set<String> roles, String address, NodeStore nodes, NodeInbox inbox, Duration heartbeat, Duration lease, long pid) {
        if (heartbeat.compareTo(lease) >= 0) {
            throw new IllegalArgumentException("the heartbeat (" + heartbeat + ") must be shorter than the lease (" + lease + ")");
        }
        this.nodes = nodes;
        this.inbox = inbox;
        this.heartbeat = heartbeat;
        this.lease = lease;
        // the store keeps milliseconds: the row read back must still be this process's
        Instant started = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        this.identity = new NodeRow(name, roles, address, pid, started, started, started.plus(lease));
        this.thread = ClusterThreads.single("imprint-membership-" + name);
    }

    /**
     * Registers this node and starts the heartbeat. The {@link #onNodeDead} listeners are first
     * called with this node's own name: what a previous run of this node left in the tables is
     * stale. Add the listeners before.
     *
     * @throws dev.imprint.store.NodeNameTakenException when a live process holds the name
     */
    public synchronized PgMembership start() {
        try {
            register();
        } catch (RuntimeException e) {
            thread.shutdownNow();
            throw e;
        }
        beating = thread.scheduleWithFixedDelay(this::beat, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("event=node.registered node={} roles={} lease_ms={}", self(), identity.roles(), lease.toMillis());
        return this;
    }

    private void register() {
        Instant now = clock.instant();
        nodes.register(new NodeRow(identity.name(), identity.roles(), identity.address(), identity.pid(), identity.startedAt(), now,
                now.plus(lease)));
        inbox.removeNode(self());
        tell(self());
    }

    // membership thread
    private void beat() {
        try {
            Instant now = clock.instant();
            if (!nodes.heartbeat(identity, now, now.plus(lease))) {
                LOG.error("event=node.lease_lost node={} msg=\"this node was declared dead or its row is gone: the other nodes may have"
                        + " cleared its sessions and messages; registering again\"", self());
                steadyBeats = 0;
                register();
                return;
            }
            // After an outage of the database every lease may have lapsed: give the others one
            // heartbeat to revive theirs before judging them, so a failover does not drop every node.
            if (++steadyBeats >= 2) {
                sweep(now);
            }
        } catch (StoreException e) {
            steadyBeats = 0;
            LOG.warn("event=node.heartbeat_failed node={} msg=\"{}\"", self(), e.getMessage());
        } catch (RuntimeException e) {
            steadyBeats = 0;
            LOG.error("event=node.heartbeat_failed node={} msg=\"{}\"", self(), e.toString());
        }
    }

    // the janitor
    private void sweep(Instant now) {
        for (NodeRow row : nodes.list()) {
            if (!row.live(now) && !row.name().equals(self()) && nodes.declareDead(row, now)) {
                inbox.removeNode(row.name());
                if (tell(row.name()) && nodes.removeDead(row)) {
                    LOG.warn("event=node.dead node={} lease_until={} by={}", row.name(), row.leaseUntil(), self());
                }
            }
        }
        inbox.removeUnaddressed(now.minus(lease));
    }

    /** True when every listener succeeded. */
    private boolean tell(String node) {
        boolean ok = true;
        for (Consumer<String> l : listeners) {
            try {
                l.accept(node);
            } catch (RuntimeException e) {
                ok = false;
                LOG.warn("event=node.dead_listener_failed node={} msg=\"{}\"", node, e.toString());
            }
        }
        return ok;
    }

    /** Tests: freezes this node (no heartbeat, no janitor) without deleting its row, as a crash would. */
    synchronized void freeze() {
        if (beating != null) {
            beating.cancel(false);
        }
    }

    @Override
    public String self() {
        return identity.name();
    }

    @Override
    public List<NodeInfo> nodes() {
        return nodes.list().stream().map(this::info).toList();
    }

    @Override
    public List<NodeInfo> live(String role) {
        Instant now = clock.instant();
        return nodes().stream().filter(n -> n.live(now) && n.roles().contains(role)).toList();
    }

    /**
     * Where {@link #nodes()} gets each node's session count (the session directory's
     * {@code count(node)}); without it the counts are 0. Set before the first {@code nodes()}.
     */
    public PgMembership countingSessions(ToIntFunction<String> counter) {
        this.sessions = counter;
        return this;
    }

    private NodeInfo info(NodeRow row) {
        return new NodeInfo(row.name(), row.roles(), row.address(), row.pid(), row.startedAt(), row.leaseUntil(),
                sessions.applyAsInt(row.name()));
    }

    /**
     * {@inheritDoc} Also called with this node's own name when it registers (at start, and again
     * after it lost its lease): what the tables held for it is gone or stale.
     */
    @Override
    public void onNodeDead(Consumer<String> listener) {
        listeners.add(listener);
    }

    /** Stops the heartbeat and deletes this node's row and inbox (a clean stop: no lease to wait out). */
    @Override
    public synchronized void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            nodes.remove(identity);
            inbox.removeNode(self());
        } catch (StoreException e) {
            LOG.warn("event=node.deregister_failed node={} msg=\"{}\" (its lease runs out instead)", self(), e.getMessage());
        }
    }
}
