package dev.imprint.cluster;

import dev.imprint.store.NodeInbox;
import dev.imprint.store.NodeNameTakenException;
import dev.imprint.store.NodeStore;
import dev.imprint.store.NodeStore.NodeRow;
import dev.imprint.store.StoreException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Membership on the node table. {@link #start()} registers this process's row (refused with
 * {@link NodeNameTakenException} while another live process holds the name, unless that process
 * is demonstrably gone: see {@link #start()}); every {@code heartbeat} (2 s) the membership thread
 * extends the lease to the database's now + {@code lease} (10 s) and runs the janitor. Leases are
 * written and judged with the database's clock only: nodes whose clocks disagree still agree on
 * who is live.
 *
 * <p>The janitor, on every node: for each row whose lease ran out, it declares the node dead (from
 * then on that process's heartbeat fails) and hands it to the janitor thread, which calls the
 * {@link #onNodeDead} listeners and then deletes the node's sessions, inbox and row in one
 * transaction, only if the row is still declared dead: a node that came back and registered
 * again keeps its new claims. A janitor that crashes halfway leaves the row for the next one, so
 * each dead node is cleared at least once, perhaps by two nodes at once. Listeners run on the
 * janitor thread, never on the membership thread: a slow one (or a slow delete of 100k session
 * rows) must not delay this node's heartbeat, or its own lease would lapse and the cascade would
 * spread. Every {@code lease / heartbeat} sweeps the janitor also deletes session rows of nodes
 * without any row (a claim that committed after its node's clean stop).
 *
 * <p>A node that was only frozen learns from its failed heartbeat that it was declared dead: it
 * logs loudly, registers again (which clears what the tables still held for it) and calls the
 * {@link #onSelfLost} hooks, where the server closes the sessions it still serves. A lease that
 * lapsed while the database was unreachable is revived by the next heartbeat if no janitor declared
 * the node dead meanwhile; a janitor judges others only after {@code lease / heartbeat + 1}
 * heartbeats of its own in a row succeeded, so every other live node had a whole lease of working
 * database to revive its row first.
 */
public final class PgMembership implements Membership {
    private static final Logger LOG = LoggerFactory.getLogger(PgMembership.class);
    public static final Duration HEARTBEAT = Duration.ofSeconds(2);
    public static final Duration LEASE = Duration.ofSeconds(10);
    /** Host parts of an address that do not name one machine. */
    private static final Set<String> ANY_HOST = Set.of("", "-", "0.0.0.0", "::", "[::]", "*");

    private final NodeStore nodes;
    private final NodeInbox inbox;
    /** This process's identity: name, pid, start time (its heartbeat and lease fields are unused). */
    private final NodeRow identity;
    private final Duration heartbeat;
    private final Duration lease;
    /** Successful heartbeats in a row before the janitor judges others. */
    private final int steadyNeeded;
    private final LongPredicate processAlive;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> selfLost = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService thread;
    /** Listeners and the clearing of dead nodes: off the heartbeat's thread. */
    private final ExecutorService janitor;
    /** The self-lost hooks: not behind a slow clearing of some dead node's 100k sessions either. */
    private final ExecutorService hooks;
    /** A run of the hooks is queued and not started yet: later losses fold into it. */
    private final AtomicBoolean hooksQueued = new AtomicBoolean();
    /** Dead nodes handed to the janitor thread and not done yet: each is queued once. */
    private final Set<String> clearing = ConcurrentHashMap.newKeySet();
    private ScheduledFuture<?> beating;
    /** Successful heartbeats in a row (membership thread only). */
    private int steadyBeats;
    /** Sweeps so far (membership thread only), for the seldom orphan sweep. */
    private long sweeps;
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
        this.steadyNeeded = (int) ((lease.toMillis() + heartbeat.toMillis() - 1) / heartbeat.toMillis()) + 1;
        this.processAlive = p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false);
        // the start time only tells this process from an earlier one of the same name (with the
        // pid), it is never compared with a lease; the store keeps milliseconds
        Instant started = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        this.identity = new NodeRow(name, roles, address, pid, started, started, started);
        this.thread = ClusterThreads.single("imprint-membership-" + name);
        this.janitor = ClusterThreads.single("imprint-janitor-" + name);
        this.hooks = ClusterThreads.single("imprint-lease-lost-" + name);
    }

    /**
     * Registers this node (clearing what a previous run of it left in the tables) and starts the
     * heartbeat.
     *
     * <p>A process restarted after a crash finds its old row still live for up to a lease. It takes
     * the name over at once when the old process is demonstrably gone: the row has this node's
     * advertised address, that address is one of this machine's own (not a wildcard, not a
     * balancer's), and the old pid is this process's own or no longer alive here. Otherwise the
     * start is refused, and the exception says when the name frees up. (A pid reused by an
     * unrelated process only delays the takeover until the lease ends: the safe direction.)
     *
     * @throws NodeNameTakenException when another live process holds the name
     */
    public synchronized PgMembership start() {
        try {
            try {
                nodes.register(identity, lease);
            } catch (NodeNameTakenException e) {
                if (!takeOver(e.holder())) {
                    throw e;
                }
                nodes.register(identity, lease);
            }
        } catch (RuntimeException e) {
            thread.shutdownNow();
            janitor.shutdownNow();
            hooks.shutdownNow();
            throw e;
        }
        beating = thread.scheduleWithFixedDelay(this::beat, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("event=node.registered node={} roles={} lease_ms={}", self(), identity.roles(), lease.toMillis());
        return this;
    }

    /** Evicts {@code holder} if it is an earlier process of this node on this machine that is gone. */
    private boolean takeOver(NodeRow holder) {
        if (!holder.address().equals(identity.address()) || !onThisMachine(host(identity.address()))) {
            return false;
        }
        if (holder.pid() != identity.pid() && processAlive.test(holder.pid())) {
            return false;
        }
        if (!nodes.evict(holder)) {
            return false;
        }
        LOG.warn("event=node.taken_over node={} old_pid={} old_started={} msg=\"the previous process of this node on this machine is gone;"
                + " not waiting for its lease\"", self(), holder.pid(), holder.startedAt());
        return true;
    }

    /**
     * True when {@code host} is an address of this machine (one of its interfaces, or loopback).
     * The advertised address may be a balancer's, shared by every node: equal addresses alone do
     * not put two processes on one machine, and a pid says nothing about another machine.
     */
    static boolean onThisMachine(String host) {
        if (ANY_HOST.contains(host)) {
            return false;
        }
        try {
            InetAddress a = InetAddress.getByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
            return !a.isAnyLocalAddress() && (a.isLoopbackAddress() || NetworkInterface.getByInetAddress(a) != null);
        } catch (IOException e) {
            return false;
        }
    }

    /** The host part of {@code host:port}, {@code [v6]:port} or a bare host. */
    static String host(String address) {
        if (address.startsWith("[")) {
            int end = address.indexOf(']');
            return end < 0 ? address : address.substring(0, end + 1);
        }
        int colon = address.lastIndexOf(':');
        return colon < 0 || address.indexOf(':') != colon ? address : address.substring(0, colon);
    }

    // membership thread
    private void beat() {
        try {
            if (!nodes.heartbeat(identity, lease)) {
                lost();
                return;
            }
            if (++steadyBeats >= steadyNeeded) {
                sweep();
            }
        } catch (StoreException e) {
            steadyBeats = 0;
            LOG.warn("event=node.heartbeat_failed node={} msg=\"{}\"", self(), e.getMessage());
        } catch (RuntimeException e) {
            steadyBeats = 0;
            LOG.error("event=node.heartbeat_failed node={} msg=\"{}\"", self(), e.toString());
        }
    }

    /** This node was declared dead (or its row is gone) while it runs: register again, then tell the hooks. */
    private void lost() {
        steadyBeats = 0;
        LOG.error("event=node.lease_lost node={} msg=\"this node was declared dead or its row is gone: the other nodes may have"
                + " cleared its sessions and messages; registering again and closing its sessions\"", self());
        try {
            nodes.register(identity, lease);
        } finally {
            // after the registration: sessions admitted from now on keep their claims; the hooks
            // close the ones whose rows the janitor may have deleted. Also when registering failed:
            // a node that is not a member must not serve.
            if (hooksQueued.compareAndSet(false, true)) {
                hooks.execute(this::tellSelfLost);
            }
        }
    }

    private void tellSelfLost() {
        hooksQueued.set(false);
        for (Runnable hook : selfLost) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                LOG.warn("event=node.self_lost_hook_failed node={} msg=\"{}\"", self(), e.toString());
            }
        }
    }

    // the janitor's judging part, on the membership thread: reads and one-row updates only
    private void sweep() {
        Instant now = nodes.now();
        for (NodeRow row : nodes.list()) {
            if (!row.live(now) && !row.name().equals(self()) && !clearing.contains(row.name()) && nodes.declareDead(row)) {
                clearing.add(row.name());
                janitor.execute(() -> clear(row));
            }
        }
        inbox.removeUnaddressed(now.minus(lease));
        if (++sweeps % Math.max(1, steadyNeeded - 1) == 0) {
            nodes.removeOrphanSessions();
        }
    }

    // janitor thread
    private void clear(NodeRow dead) {
        try {
            if (tell(dead.name()) && nodes.removeDead(dead)) {
                LOG.warn("event=node.dead node={} lease_until={} by={}", dead.name(), dead.leaseUntil(), self());
            }
        } catch (RuntimeException e) {
            LOG.warn("event=node.clear_failed node={} msg=\"{}\" (the next sweep tries again)", dead.name(), e.toString());
        } finally {
            clearing.remove(dead.name());
        }
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

    /** Tests: beats again after {@link #freeze()}, as a process that was paused would. */
    synchronized void resume() {
        beating = thread.scheduleWithFixedDelay(this::beat, 0, heartbeat.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Tests: this process's identity in the node table. */
    NodeRow identity() {
        return identity;
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
        Instant now = nodes.now();
        return nodes.list().stream().filter(r -> r.live(now) && r.roles().contains(role)).map(this::info).toList();
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

    /** {@inheritDoc} Called on the janitor thread, before the dead node's rows are deleted. */
    @Override
    public void onNodeDead(Consumer<String> listener) {
        listeners.add(listener);
    }

    /** {@inheritDoc} Called on a thread of its own, after this node registered again (or failed to). */
    @Override
    public void onSelfLost(Runnable hook) {
        selfLost.add(hook);
    }

    /**
     * Stops the heartbeat and deletes this node's row with its sessions and inbox (a clean stop: no
     * lease to wait out). Deletes nothing when the row is not this process's: a refused start leaves
     * the live holder's rows alone.
     */
    @Override
    public synchronized void close() {
        thread.shutdownNow();
        janitor.shutdownNow();
        hooks.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
            janitor.awaitTermination(5, TimeUnit.SECONDS);
            hooks.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            nodes.remove(identity);
        } catch (StoreException e) {
            LOG.warn("event=node.deregister_failed node={} msg=\"{}\" (its lease runs out instead)", self(), e.getMessage());
        }
    }
}
