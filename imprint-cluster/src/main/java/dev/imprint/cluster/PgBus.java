package dev.imprint.cluster;

import dev.imprint.store.NodeInbox;
import dev.imprint.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node bus on PostgreSQL. A message is a row in the receiver's inbox ({@link NodeInbox}),
 * committed together with a {@code NOTIFY} of the receiver's channel carrying only the row's
 * sequence number; a doorbell is a {@code NOTIFY imprint_doorbell} carrying its name. Each node
 * listens on a dedicated connection ({@link PgListener}) and, on a notification, reads its
 * pending rows, hands them to the handler on the bus thread and deletes them.
 *
 * <p>No correctness depends on a notification arriving: the bus thread also reads the inbox
 * every {@code inboxBackstop} (1 s) and runs every doorbell handler every
 * {@code doorbellBackstop} (5 s), and after every (re)connect of the listener. Notifying commits
 * take a global lock in PostgreSQL: one per message is fine at c2d and method rates; never send
 * one per telemetry message.
 *
 * <p>Messages to this node itself skip the database. Rows of a dead node are removed by the
 * membership janitor ({@link PgMembership}).
 */
public final class PgBus implements NodeBus {
    private static final Logger LOG = LoggerFactory.getLogger(PgBus.class);
    public static final Duration INBOX_BACKSTOP = Duration.ofSeconds(1);
    public static final Duration DOORBELL_BACKSTOP = Duration.ofSeconds(5);
    /** How long a broken LISTEN connection waits before connecting again (the backstop polls meanwhile). */
    private static final Duration RECONNECT_DELAY = Duration.ofSeconds(1);
    /** Rows read per round trip while draining. */
    private static final int BATCH = 256;

    private final String self;
    private final NodeInbox inbox;
    private final Clock clock;
    private final String channel;
    private final ScheduledExecutorService thread;
    private final PgListener listener;
    private final AtomicBoolean drainQueued = new AtomicBoolean();
    /** Handed to the handler but not yet deleted (the delete failed): not handed on twice. Bus thread only. */
    private final Set<Long> undeleted = new HashSet<>();
    private final BusHandlers handlers;
    private volatile boolean notify = true;

    /** A bus with the default backstops (1 s inbox, 5 s doorbells), listening at once. */
    public static PgBus start(String self, NodeInbox inbox, ClusterDatabase database) {
        return start(self, inbox, database, INBOX_BACKSTOP, DOORBELL_BACKSTOP);
    }

    /**
     * A bus listening at once; messages wait in the inbox until {@link #onMessage} sets a handler.
     *
     * @param self this node's name
     * @param inbox the store's inbox table ({@code store.nodeInbox()})
     * @param database where to open the dedicated LISTEN connection (the store's database)
     */
    public static PgBus start(String self, NodeInbox inbox, ClusterDatabase database, Duration inboxBackstop, Duration doorbellBackstop) {
        PgBus bus = new PgBus(self, inbox, database, inboxBackstop, doorbellBackstop);
        bus.listener.start();
        return bus;
    }

    private PgBus(String self, NodeInbox inbox, ClusterDatabase database, Duration inboxBackstop, Duration doorbellBackstop) {
        this.self = Objects.requireNonNull(self, "self");
        this.inbox = inbox;
        this.clock = Clock.systemUTC();
        this.channel = PgChannels.inbox(self);
        ScheduledThreadPoolExecutor t = ClusterThreads.single("imprint-bus-" + self);
        this.thread = t;
        this.handlers = new BusHandlers(self, t);
        this.listener = new PgListener(database, "listen " + self, List.of(channel, PgChannels.DOORBELL), this::notified,
                this::caughtUp, RECONNECT_DELAY);
        t.scheduleWithFixedDelay(this::drain, inboxBackstop.toMillis(), inboxBackstop.toMillis(), TimeUnit.MILLISECONDS);
        t.scheduleWithFixedDelay(handlers::ringAllHere, doorbellBackstop.toMillis(), doorbellBackstop.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Tests only: send and ring without NOTIFY, so that only the backstop poll delivers. */
    void suppressNotify() {
        notify = false;
    }

    @Override
    public String self() {
        return self;
    }

    /**
     * {@inheritDoc}
     *
     * @throws StoreException when the row cannot be written (the caller may retry)
     */
    @Override
    public void send(String node, NodeMessage message) {
        if (self.equals(node)) {
            handlers.deliver(message);
            return;
        }
        inbox.append(new NodeInbox.Entry(0, node, message.type(), message.from(), message.deviceId(), message.epoch(),
                message.correlation(), message.body(), clock.instant()), notify ? PgChannels.inbox(node) : null);
    }

    @Override
    public void onMessage(Consumer<NodeMessage> handler) {
        handlers.onMessage(handler);
        requestDrain();
    }

    @Override
    public void ring(String doorbell) {
        handlers.ringHere(doorbell);
        if (notify) {
            inbox.ring(PgChannels.DOORBELL, doorbell);
        }
    }

    @Override
    public void onDoorbell(String doorbell, Runnable handler) {
        handlers.onDoorbell(doorbell, handler);
    }

    // listener thread
    private void notified(String on, String payload) {
        if (PgChannels.DOORBELL.equals(on)) {
            handlers.ringHere(payload);
        } else {
            requestDrain();
        }
    }

    // listener thread, after each (re)connect: whatever was notified while it was down
    private void caughtUp() {
        requestDrain();
        handlers.ringAllHere();
    }

    private void requestDrain() {
        if (drainQueued.compareAndSet(false, true)) {
            handlers.run(() -> {
                drainQueued.set(false);
                drain();
            });
        }
    }

    // bus thread
    private void drain() {
        if (!handlers.hasHandler()) {
            return;  // nobody to hand them to yet: they wait in the table
        }
        try {
            List<NodeInbox.Entry> rows;
            do {
                rows = inbox.pending(self, BATCH);
                List<Long> handled = new ArrayList<>(rows.size());
                for (NodeInbox.Entry row : rows) {
                    if (!undeleted.contains(row.seq())) {
                        handlers.handOn(new NodeMessage(row.type(), row.fromNode(), row.deviceId(), row.epoch(), row.correlation(), row.body()));
                    }
                    handled.add(row.seq());
                }
                undeleted.addAll(handled);
                inbox.delete(self, handled);
                undeleted.removeAll(handled);
            } while (rows.size() == BATCH);
        } catch (StoreException e) {
            LOG.warn("event=bus.inbox_unreadable node={} msg=\"{}\"", self, e.getMessage());
        }
    }

    @Override
    public void close() {
        listener.close();
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
