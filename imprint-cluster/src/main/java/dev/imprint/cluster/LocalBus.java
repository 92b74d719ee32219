package dev.imprint.cluster;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus of one process ({@code imprint up}): messages to this node go to its handler on one
 * bus thread, doorbells to the local handlers. There are no other nodes: a message for another
 * node has nowhere to go and is dropped (logged), as it would be for a dead node.
 */
public final class LocalBus implements NodeBus {
    private static final Logger LOG = LoggerFactory.getLogger(LocalBus.class);

    private final String self;
    private final ExecutorService thread;
    private volatile Consumer<NodeMessage> handler = m -> { };
    private final Map<String, List<Runnable>> doorbells = new ConcurrentHashMap<>();

    public LocalBus(String self) {
        this.self = self;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "imprint-bus-" + self);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String self() {
        return self;
    }

    @Override
    public void send(String node, NodeMessage message) {
        if (!self.equals(node)) {
            LOG.warn("event=bus.dropped to={} type={} device={} msg=\"no such node in this process\"", node, message.type(), message.deviceId());
            return;
        }
        run(() -> handler.accept(message));
    }

    @Override
    public void onMessage(Consumer<NodeMessage> handler) {
        this.handler = handler;
    }

    @Override
    public void ring(String doorbell) {
        for (Runnable r : doorbells.getOrDefault(doorbell, List.of())) {
            run(r);
        }
    }

    @Override
    public void onDoorbell(String doorbell, Runnable handler) {
        doorbells.computeIfAbsent(doorbell, d -> new CopyOnWriteArrayList<>()).add(handler);
    }

    private void run(Runnable r) {
        try {
            thread.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.warn("event=bus.handler_failed node={} msg=\"{}\"", self, e.toString());
                }
            });
        } catch (RejectedExecutionException closed) {
            // the node is stopping: its sessions are ending anyway
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
