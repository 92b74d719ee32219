package dev.imprint.hub;

import dev.imprint.cluster.NodeBus;
import dev.imprint.cluster.NodeMessage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Several nodes' buses in one JVM, for tests of a hub served by several nodes: each node has an
 * inbox thread of its own (as each process has its bus thread); a message to a node that is not
 * (or no longer) on the network is dropped, as for a dead node; sends of a type can be made to
 * fail ({@link #failing}). A node without a handler keeps
 * its messages until one is set (as the PostgreSQL bus leaves them in its table). Counts what it
 * carried, and records which thread sent each type.
 */
final class InMemoryNetwork implements AutoCloseable {
    private final Map<String, Node> nodes = new ConcurrentHashMap<>();
    final AtomicLong sent = new AtomicLong();
    /** The names of the threads that sent each message type. */
    final Map<String, List<String>> senders = new ConcurrentHashMap<>();
    /** How many more sends of each message type fail (as a database write of the PostgreSQL bus can). */
    final Map<String, AtomicLong> failing = new ConcurrentHashMap<>();

    /** Joins a node to the network. */
    NodeBus node(String name) {
        Node n = new Node(name);
        if (nodes.putIfAbsent(name, n) != null) {
            throw new IllegalArgumentException("node " + name + " is already on the network");
        }
        return n;
    }

    /** The messages a node holds for want of a handler. */
    List<NodeMessage> waiting(String node) {
        return List.copyOf(nodes.get(node).waiting);
    }

    /** Rings a doorbell on every node, as a node of the cluster would. */
    void ring(String doorbell) {
        nodes.values().forEach(n -> n.ringHere(doorbell));
    }

    @Override
    public void close() {
        List.copyOf(nodes.values()).forEach(Node::close);
    }

    private final class Node implements NodeBus {
        private final String name;
        private final ExecutorService thread;
        private volatile Consumer<NodeMessage> handler = m -> { };
        /** Messages that came while there was no handler: bus thread only. */
        final List<NodeMessage> waiting = new CopyOnWriteArrayList<>();
        private final Map<String, List<Runnable>> doorbells = new ConcurrentHashMap<>();

        Node(String name) {
            this.name = name;
            this.thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "test-bus-" + name);
                t.setDaemon(true);
                return t;
            });
        }

        @Override
        public String self() {
            return name;
        }

        @Override
        public void send(String node, NodeMessage message) {
            AtomicLong fail = failing.get(message.type());
            if (fail != null && fail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("test network: sending " + message.type() + " failed");
            }
            Node to = nodes.get(node);
            if (to != null) {
                sent.incrementAndGet();
                senders.computeIfAbsent(message.type(), t -> new CopyOnWriteArrayList<>()).add(Thread.currentThread().getName());
                to.run(() -> to.deliver(message));
            }
        }

        @Override
        public void onMessage(Consumer<NodeMessage> handler) {
            this.handler = handler;
            run(() -> deliver(null));
        }

        /** Hands on what waits, then {@code m} (when not null), in order; keeps them while there is no handler. */
        private void deliver(NodeMessage m) {
            if (m != null) {
                waiting.add(m);
            }
            Consumer<NodeMessage> h;
            while ((h = handler) != null && !waiting.isEmpty()) {
                h.accept(waiting.remove(0));
            }
        }

        @Override
        public void ring(String doorbell) {
            InMemoryNetwork.this.ring(doorbell);
        }

        void ringHere(String doorbell) {
            doorbells.getOrDefault(doorbell, List.of()).forEach(this::run);
        }

        @Override
        public void onDoorbell(String doorbell, Runnable handler) {
            doorbells.computeIfAbsent(doorbell, d -> new CopyOnWriteArrayList<>()).add(handler);
        }

        private void run(Runnable r) {
            try {
                thread.execute(r);
            } catch (RejectedExecutionException closed) {
                // a stopped node hears nothing
            }
        }

        @Override
        public void close() {
            nodes.remove(name, this);
            thread.shutdownNow();
        }
    }
}
