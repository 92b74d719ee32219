package dev.imprint.store;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * Node-to-node messages waiting for their node (table {@code node_messages}): the durable part of
 * the PostgreSQL node bus. A sender appends, the receiving node reads what is pending for it,
 * hands it on and deletes it.
 *
 * <p>Why the receiver reads everything still pending instead of "after the last sequence number
 * it saw": sequence numbers are taken at insert, not at commit, so a row with a lower number can
 * become visible after a higher one was read; a high-water mark would skip it for good. Deleting
 * exactly the rows handled keeps every late committer for the next read.
 */
public interface NodeInbox {

    /** A message for {@code toNode}; {@code seq} is 0 until appended. */
    record Entry(long seq, String toNode, String type, String fromNode, String deviceId, long epoch, String correlation, byte[] body,
            Instant createdAt) {}

    /**
     * Appends a message and commits. On PostgreSQL, when {@code notifyChannel} is not null, the same
     * transaction notifies that channel with the new sequence number as payload, so the doorbell
     * rings at the commit and never before the row is visible. SQLite has no notifications: the
     * channel is ignored there.
     *
     * @return the message's sequence number
     */
    long append(Entry message, String notifyChannel);

    /** Up to {@code limit} messages pending for {@code node}, lowest sequence number first. */
    List<Entry> pending(String node, int limit);

    /** Deletes those of {@code node}'s messages (handled); returns how many were there. */
    int delete(String node, Collection<Long> seqs);

    /** Deletes every message of {@code node} (it stopped or died); returns how many. */
    int removeNode(String node);

    /**
     * Deletes messages created before {@code before} whose node has no row in the node table
     * (sent to a node that never registered, or raced its janitor); returns how many.
     */
    int removeUnaddressed(Instant before);

    /**
     * Notifies a PostgreSQL channel in a transaction of its own (a doorbell every listening node
     * hears); does nothing on SQLite. Each call is one commit, and notifying commits serialize on a
     * global lock: ring for rare events only.
     */
    void ring(String channel, String payload);
}
