package dev.imprint.cluster;

import java.util.function.Consumer;

/**
 * Messages between the nodes of a cluster: one inbox per node, and doorbells every node hears.
 *
 * <p>Implementations: {@link LocalBus} (one process: {@code imprint up}, and tests), PostgreSQL
 * (a message table written in the sender's transaction, {@code NOTIFY} as a doorbell carrying
 * ids only, and a slow poll as backstop, so no correctness depends on a NOTIFY arriving), and
 * Kafka ({@code dev.imprint.kafka.KafkaBus}: an inbox topic per node and a doorbell topic).
 *
 * <p>What a message asks for is durable elsewhere when it must survive a crash (the c2d queue,
 * the twin, the revocation log): the bus only says "look now". Delivery is at least once while
 * the receiving node lives; messages to a node that died are dropped with it.
 */
public interface NodeBus extends AutoCloseable {

    /** This node's name: the {@code to} of messages for it, the {@code from} of what it sends. */
    String self();

    /**
     * Puts a message into {@code node}'s inbox (this node's own included: delivered without a
     * round trip through the database). Returns once the message is durable or handed over; never
     * waits for the receiver.
     *
     * @throws dev.imprint.store.StoreException when the message cannot be written
     */
    void send(String node, NodeMessage message);

    /** Sets the handler of this node's inbox; called on a bus thread, so it must not block. */
    void onMessage(Consumer<NodeMessage> handler);

    /** Rings a doorbell (a short name such as {@code revocations}) on every live node, this one included. */
    void ring(String doorbell);

    /** Adds a handler for a doorbell; called on a bus thread, and also by the backstop poll now and then. */
    void onDoorbell(String doorbell, Runnable handler);

    @Override
    void close();
}
