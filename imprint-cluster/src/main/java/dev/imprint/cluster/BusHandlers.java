package dev.imprint.cluster;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving end of a bus between nodes, whatever carries the messages (PostgreSQL, Kafka):
 * this node's inbox handler and doorbell handlers, run on the bus's one thread; a failing
 * handler is logged and stops nothing else.
 */
public final class BusHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(BusHandlers.class);

    private final String self;
    private final Executor thread;
    private final Map<String, List<Runnable>> doorbells = new ConcurrentHashMap<>();
    private volatile Consumer<NodeMessage> handler;

    /**
     * @param self the node's name, for the logs
     * @param thread the bus's one thread (handlers run in submission order)
     */
    public BusHandlers(String self, Executor thread) {
        this.self = self;
        this.thread = thread;
    }

    public void onMessage(Consumer<NodeMessage> handler) {
        this.handler = handler;
    }

    /** Whether a message handed on now would reach a handler (until then, messages should wait where they are). */
    public boolean hasHandler() {
        return handler != null;
    }

    public void onDoorbell(String doorbell, Runnable handler) {
        doorbells.computeIfAbsent(doorbell, d -> new CopyOnWriteArrayList<>()).add(handler);
    }

    /** Hands a message to the handler on the bus thread. */
    public void deliver(NodeMessage message) {
        run(() -> handOn(message));
    }

    /** Hands a message to the handler on the calling thread, which must be the bus thread; dropped (logged) without a handler. */
    public void handOn(NodeMessage message) {
        Consumer<NodeMessage> h = handler;
        if (h == null) {
            LOG.warn("event=bus.dropped node={} type={} device={} msg=\"no handler yet\"", self, message.type(), message.deviceId());
            return;
        }
        try {
            h.accept(message);
        } catch (RuntimeException e) {
            LOG.warn("event=bus.handler_failed node={} type={} device={} msg=\"{}\"", self, message.type(), message.deviceId(), e.toString());
        }
    }

    /** Runs the handlers of {@code doorbell} on the bus thread. */
    public void ringHere(String doorbell) {
        for (Runnable r : doorbells.getOrDefault(doorbell, List.of())) {
            run(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.warn("event=bus.doorbell_failed node={} doorbell={} msg=\"{}\"", self, doorbell, e.toString());
                }
            });
        }
    }

    /** The doorbell backstop: every handler, as if every doorbell rang. */
    public void ringAllHere() {
        doorbells.keySet().forEach(this::ringHere);
    }

    /** Runs {@code r} on the bus thread; nothing once the bus is closing. */
    public void run(Runnable r) {
        try {
            thread.execute(r);
        } catch (RejectedExecutionException closed) {
            // the node is stopping
        }
    }
}
