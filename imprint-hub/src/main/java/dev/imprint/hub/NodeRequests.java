package dev.imprint.hub;

import dev.imprint.cluster.NodeBus;
import dev.imprint.cluster.NodeMessage;
import dev.imprint.store.SessionDirectory;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Requests to the node holding a device's session: looked up in the session directory, sent
 * with the epoch seen there and a correlation id, answered (or not) through this node's inbox.
 * A holder that no longer has that session answers DEVICE_MOVED at once; the directory is read
 * again and the request sent once more to whoever holds it now (a reconnect raced the lookup).
 * A directory miss is answered DEVICE_OFFLINE here, without a message.
 */
final class NodeRequests {
    private final NodeBus bus;
    private final SessionDirectory directory;
    private final Executor executor;
    private final Map<String, CompletableFuture<NodeMessage>> pending = new ConcurrentHashMap<>();

    NodeRequests(NodeBus bus, SessionDirectory directory, Executor executor) {
        this.bus = bus;
        this.directory = directory;
        this.executor = executor;
    }

    /**
     * Sends {@code type} to the holder. Completes with the answer (METHOD_RESULT, DEVICE_OFFLINE,
     * DEVICE_MOVED after the retry), or fails with a {@link java.util.concurrent.TimeoutException}
     * when no answer came within {@code wait} (requests answered only on failure end that way).
     */
    CompletableFuture<NodeMessage> send(String deviceId, String type, byte[] body, Duration wait) {
        return CompletableFuture.supplyAsync(() -> directory.find(deviceId), executor)
                .thenCompose(e -> attempt(deviceId, type, body, wait, e, true));
    }

    private CompletableFuture<NodeMessage> attempt(String deviceId, String type, byte[] body, Duration wait,
            Optional<SessionDirectory.Entry> holder, boolean mayRetry) {
        if (holder.isEmpty()) {
            return CompletableFuture.completedFuture(NodeMessage.of(NodeMessage.DEVICE_OFFLINE, bus.self(), deviceId, 0));
        }
        SessionDirectory.Entry e = holder.get();
        String correlation = UUID.randomUUID().toString();
        CompletableFuture<NodeMessage> answer = new CompletableFuture<>();
        pending.put(correlation, answer);
        answer.orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS).whenComplete((m, x) -> pending.remove(correlation));
        try {
            bus.send(e.node(), new NodeMessage(type, bus.self(), deviceId, e.epoch(), correlation, body));
        } catch (RuntimeException x) {
            answer.completeExceptionally(x);
        }
        return answer.thenComposeAsync(m -> {
            if (!NodeMessage.DEVICE_MOVED.equals(m.type()) || !mayRetry) {
                return CompletableFuture.completedFuture(m);
            }
            Optional<SessionDirectory.Entry> now = directory.find(deviceId);
            // the directory still names the session its holder disowned: it is ending, no one holds the device
            if (now.isPresent() && now.get().epoch() == e.epoch()) {
                return CompletableFuture.completedFuture(NodeMessage.of(NodeMessage.DEVICE_OFFLINE, bus.self(), deviceId, e.epoch()));
            }
            return attempt(deviceId, type, body, wait, now, false);
        }, executor);
    }

    /** An answer from another node; false when nobody waits for it (late, after a timeout). */
    boolean answered(NodeMessage m) {
        CompletableFuture<NodeMessage> f = pending.remove(m.correlation());
        return f != null && f.complete(m);
    }

    /** Answers {@code request} to its sender. */
    void reply(NodeMessage request, String type, byte[] body) {
        if (!request.correlation().isEmpty()) {
            bus.send(request.from(), new NodeMessage(type, bus.self(), request.deviceId(), request.epoch(), request.correlation(), body));
        }
    }

    int pending() {
        return pending.size();
    }
}
