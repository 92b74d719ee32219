package dev.imprint.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session directory in table {@code sessions} (migration V5), with group commit: claims,
 * releases and node removals go into one queue; one writer thread (started at the first write)
 * runs whatever is queued as one transaction, then completes the callers' futures in queue
 * order. A reconnect storm of 100k devices is a few hundred commits, not 100k.
 *
 * <p>Epochs come from the one-row counter {@code session_epoch}, advanced once per batch: unique
 * across devices and nodes and never reused when rows are deleted, so fencing compares epochs
 * for equality. On PostgreSQL the counter's row lock also orders the claim batches of all
 * nodes, so two nodes claiming one device see each other's claim as the replaced entry.
 *
 * <p>A release that still matches (same node and epoch) also records the device's last-seen
 * time in {@code hub_presence}, in the same transaction: last-seen costs one row per disconnect
 * and nothing while connected.
 */
final class JdbcSessionDirectory implements SessionDirectory, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcSessionDirectory.class);
    private static final int MAX_BATCH = 1000;

    private final Db db;
    private final BlockingQueue<Op> queue = new LinkedBlockingQueue<>();
    private final AtomicLong commits = new AtomicLong();
    private Thread writer;
    private volatile boolean running = true;

    /** One queued write and the future its caller waits on. */
    private sealed interface Op {
        CompletableFuture<?> done();
    }

    private record ClaimOp(String deviceId, String hub, String node, Instant at, CompletableFuture<Claim> done) implements Op {}

    private record ReleaseOp(String deviceId, String node, long epoch, Instant at, String reason, CompletableFuture<Void> done) implements Op {}

    /** @param hub null for all of the node's hubs */
    private record RemoveNodeOp(String node, String hub, CompletableFuture<Integer> done) implements Op {}

    JdbcSessionDirectory(Db db) {
        this.db = db;
    }

    @Override
    public CompletableFuture<Claim> claim(String deviceId, String hub, String node, Instant at) {
        return enqueue(new ClaimOp(deviceId, hub, node, at, new CompletableFuture<>()));
    }

    @Override
    public CompletableFuture<Void> release(String deviceId, String node, long epoch, Instant at) {
        return release(deviceId, node, epoch, at, null);
    }

    @Override
    public CompletableFuture<Void> release(String deviceId, String node, long epoch, Instant at, String reason) {
        return enqueue(new ReleaseOp(deviceId, node, epoch, at, reason, new CompletableFuture<>()));
    }

    /** Queued behind this node's pending claims and releases, so none of them lands after it. */
    @Override
    public int removeNode(String node) {
        return remove(node, null);
    }

    @Override
    public int removeSessions(String node, String hub) {
        return remove(node, hub);
    }

    private int remove(String node, String hub) {
        CompletableFuture<Integer> done = enqueue(new RemoveNodeOp(node, hub, new CompletableFuture<>()));
        try {
            return done.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof StoreException s ? s : new StoreException("removing the sessions of " + node + " failed", e.getCause());
        }
    }

    @Override
    public Optional<Entry> find(String deviceId) {
        return db.readCached("reading the session of " + deviceId,
                "SELECT device_id, hub, node, epoch, connected_at FROM sessions WHERE device_id = ?", ps -> {
                    ps.setString(1, deviceId);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? Optional.of(entry(rs)) : Optional.<Entry>empty();
                    }
                });
    }

    @Override
    public int count(String node) {
        return db.list("counting the sessions of " + node, "SELECT COUNT(*) FROM sessions WHERE node = ?", rs -> rs.getInt(1), node).get(0);
    }

    @Override
    public List<Count> countByHub() {
        return db.list("counting sessions by hub", "SELECT hub, node, COUNT(*) FROM sessions GROUP BY hub, node ORDER BY hub, node",
                rs -> new Count(rs.getString(1), rs.getString(2), rs.getInt(3)));
    }

    @Override
    public List<Entry> withQueuedC2d(String node, Instant now, int limit) {
        // one query per node and round: sessions by their node index, the queue by its (device_id, seq) index
        return db.list("reading the sessions of " + node + " with queued c2d",
                "SELECT s.device_id, s.hub, s.node, s.epoch, s.connected_at FROM sessions s WHERE s.node = ?"
                        + " AND EXISTS (SELECT 1 FROM hub_c2d c WHERE c.device_id = s.device_id AND c.expires_at > ?)"
                        + " ORDER BY s.device_id LIMIT ?",
                JdbcSessionDirectory::entry, node, now.toEpochMilli(), limit);
    }

    /** Transactions committed so far by the writer (one per batch): how well group commit works. */
    long commits() {
        return commits.get();
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> enqueue(Op op) {
        if (!running) {
            op.done().completeExceptionally(new StoreException("the store is closed", null));
        } else {
            startWriter();
            queue.add(op);
            // closed between the check and the add: the writer may have drained and gone; whoever
            // takes the op back out fails it (if the writer took it first, it handles it)
            if (!running && queue.remove(op)) {
                op.done().completeExceptionally(new StoreException("the store closed before this session write", null));
            }
        }
        return (CompletableFuture<T>) op.done();
    }

    private synchronized void startWriter() {
        if (writer == null) {
            writer = new Thread(this::run, "imprint-store-sessions");
            writer.setDaemon(true);
            writer.start();
        }
    }

    private void run() {
        List<Op> batch = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                Op first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                batch.clear();
            }
        }
        Op left;
        while ((left = queue.poll()) != null) {
            left.done().completeExceptionally(new StoreException("the store closed before this session write", null));
        }
    }

    /**
     * One transaction for the batch; the futures complete after the commit, in queue order. A
     * failed batch is tried once more (all or nothing, so a retry is safe): on PostgreSQL a
     * deadlock or serialization failure between nodes' batches costs a retry, not the writes.
     */
    private void commit(List<Op> batch) {
        List<Object> results;
        try {
            results = write(batch);
        } catch (RuntimeException first) {
            try {
                results = write(batch);
            } catch (RuntimeException e) {
                LOG.warn("event=sessions.write_failed ops={} msg=\"{}\"", batch.size(), e.toString());
                batch.forEach(op -> op.done().completeExceptionally(e));
                return;
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            complete(batch.get(i), results.get(i));
        }
    }

    private List<Object> write(List<Op> batch) {
        List<Object> results = db.write("recording " + batch.size() + " session changes", c -> apply(c, db.events, batch));
        commits.incrementAndGet();
        return results;
    }

    @SuppressWarnings("unchecked")
    private static void complete(Op op, Object result) {
        ((CompletableFuture<Object>) op.done()).complete(result);
    }

    /**
     * Applies the batch in device order (stable: one device's ops keep their queue order), so
     * every node's batches lock rows in the same order and cannot deadlock each other; claim
     * batches take the epoch counter first, release batches never do. Results in queue order.
     */
    private static List<Object> apply(Connection c, JdbcDeviceEvents events, List<Op> batch) throws SQLException {
        long claims = batch.stream().filter(op -> op instanceof ClaimOp).count();
        long epoch = claims == 0 ? 0 : reserveEpochs(c, claims);
        Object[] results = new Object[batch.size()];
        List<Integer> order = order(batch);
        try (PreparedStatement find = c.prepareStatement(
                "SELECT device_id, hub, node, epoch, connected_at FROM sessions WHERE device_id = ?");
             PreparedStatement upsert = c.prepareStatement("INSERT INTO sessions (device_id, hub, node, epoch, connected_at)"
                     + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET hub = excluded.hub, node = excluded.node,"
                     + " epoch = excluded.epoch, connected_at = excluded.connected_at");
             PreparedStatement seen = c.prepareStatement("INSERT INTO hub_presence (device_id, hub, connected, connected_at, last_seen)"
                     + " SELECT device_id, hub, FALSE, connected_at, ? FROM sessions WHERE device_id = ? AND node = ? AND epoch = ?"
                     + " ON CONFLICT (device_id) DO UPDATE SET hub = excluded.hub, connected = excluded.connected,"
                     + " connected_at = excluded.connected_at, last_seen = excluded.last_seen");
             PreparedStatement delete = c.prepareStatement("DELETE FROM sessions WHERE device_id = ? AND node = ? AND epoch = ?");
             PreparedStatement deleteNode = c.prepareStatement("DELETE FROM sessions WHERE node = ?");
             PreparedStatement deleteHub = c.prepareStatement("DELETE FROM sessions WHERE node = ? AND hub = ?")) {
            for (int i : order) {
                Op op = batch.get(i);
                if (op instanceof ClaimOp cl) {
                    find.setString(1, cl.deviceId());
                    Optional<Entry> previous;
                    try (ResultSet rs = find.executeQuery()) {
                        previous = rs.next() ? Optional.of(entry(rs)) : Optional.empty();
                    }
                    Entry now = new Entry(cl.deviceId(), cl.hub(), cl.node(), ++epoch, Instant.ofEpochMilli(cl.at().toEpochMilli()));
                    JdbcCertificateStore.bind(upsert, now.deviceId(), now.hub(), now.node(), now.epoch(), now.connectedAt().toEpochMilli());
                    upsert.executeUpdate();
                    events.append(c, now.deviceId(), "connected", now.connectedAt(), JdbcDeviceEvents.detail().put("hub", now.hub())
                            .put("node", now.node()).put("epoch", now.epoch()));
                    results[i] = new Claim(now, previous);
                } else if (op instanceof ReleaseOp r) {
                    JdbcCertificateStore.bind(seen, r.at().toEpochMilli(), r.deviceId(), r.node(), r.epoch());
                    if (seen.executeUpdate() > 0) {
                        events.append(c, r.deviceId(), "disconnected", r.at(), JdbcDeviceEvents.detail().put("node", r.node())
                                .put("epoch", r.epoch()).put("reason", r.reason()));
                    }
                    JdbcCertificateStore.bind(delete, r.deviceId(), r.node(), r.epoch());
                    delete.executeUpdate();
                    results[i] = null;
                } else if (op instanceof RemoveNodeOp n && n.hub() == null) {
                    deleteNode.setString(1, n.node());
                    results[i] = deleteNode.executeUpdate();
                } else if (op instanceof RemoveNodeOp n) {
                    JdbcCertificateStore.bind(deleteHub, n.node(), n.hub());
                    results[i] = deleteHub.executeUpdate();
                }
            }
        }
        return java.util.Arrays.asList(results);
    }

    /** Queue indexes sorted by device between removals; a removal stays where it was queued (a barrier). */
    private static List<Integer> order(List<Op> batch) {
        List<Integer> order = new ArrayList<>(batch.size());
        int from = 0;
        for (int i = 0; i <= batch.size(); i++) {
            if (i == batch.size() || batch.get(i) instanceof RemoveNodeOp) {
                List<Integer> segment = new ArrayList<>();
                for (int j = from; j < i; j++) {
                    segment.add(j);
                }
                segment.sort(java.util.Comparator.comparing(j -> device(batch.get(j))));
                order.addAll(segment);
                if (i < batch.size()) {
                    order.add(i);
                }
                from = i + 1;
            }
        }
        return order;
    }

    private static String device(Op op) {
        return op instanceof ClaimOp cl ? cl.deviceId() : ((ReleaseOp) op).deviceId();
    }

    /** Advances the counter by {@code n} under its row lock; returns the last epoch before them. */
    private static long reserveEpochs(Connection c, long n) throws SQLException {
        try (PreparedStatement up = c.prepareStatement("UPDATE session_epoch SET last = last + ? WHERE id = 1")) {
            up.setLong(1, n);
            up.executeUpdate();
        }
        try (PreparedStatement read = c.prepareStatement("SELECT last FROM session_epoch WHERE id = 1");
             ResultSet rs = read.executeQuery()) {
            rs.next();
            return rs.getLong(1) - n;
        }
    }

    private static Entry entry(ResultSet rs) throws SQLException {
        return new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), Instant.ofEpochMilli(rs.getLong(5)));
    }

    /** Writes what is queued, then stops the writer. */
    @Override
    public void close() {
        running = false;
        Thread w;
        synchronized (this) {
            w = writer;
        }
        if (w != null) {
            try {
                w.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // a writer that never started, or one that did not stop in time: nothing waits for ever
        Op left;
        while ((left = queue.poll()) != null) {
            left.done().completeExceptionally(new StoreException("the store closed before this session write", null));
        }
    }
}
