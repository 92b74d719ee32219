package dev.imprint.store;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Which node holds each device's live session (table {@code sessions}): written by hub nodes at
 * CONNECT and DISCONNECT, read by whoever must reach the device (c2d, twin, methods, device
 * changes). One row per connected device; the epoch grows with every claim, so a message meant
 * for an older session can be recognised and refused (fencing).
 *
 * <p>Writes are batched (group commit): 100k reconnects are not 100k commits.
 */
public interface SessionDirectory {

    /** A device's session as recorded. */
    record Entry(String deviceId, String hub, String node, long epoch, Instant connectedAt) {}

    /**
     * Records that {@code node} now holds the device's session. Completes after the commit with
     * the new entry and the one it replaced (another node's, or an older session of this node),
     * whose holder must close it with SESSION_TAKEN.
     */
    CompletableFuture<Claim> claim(String deviceId, String hub, String node, Instant at);

    /** @param previous empty when the device had no live session */
    record Claim(Entry entry, Optional<Entry> previous) {}

    /** Removes the entry if it is still this session (same node and epoch); batched, completes after the commit. */
    CompletableFuture<Void> release(String deviceId, String node, long epoch, Instant at);

    /** As {@link #release(String, String, long, Instant)}, with why the session ended (for the device's disconnected event). */
    default CompletableFuture<Void> release(String deviceId, String node, long epoch, Instant at, String reason) {
        return release(deviceId, node, epoch, at);
    }

    Optional<Entry> find(String deviceId);

    /** How many sessions {@code node} holds. */
    int count(String node);

    /**
     * The sessions on {@code node} whose device has cloud-to-device messages queued (unexpired
     * at {@code now}), at most {@code limit}: the holder's slow backstop for a lost C2D_READY.
     */
    java.util.List<Entry> withQueuedC2d(String node, Instant now, int limit);

    /** Removes every entry of {@code node} (the node stopped or its lease ran out); returns how many. */
    int removeNode(String node);

    /**
     * Removes the entries of one hub on {@code node} (that hub starts or stops there; other hubs
     * of the node keep theirs); returns how many. Queued behind the node's pending writes.
     */
    int removeSessions(String node, String hub);

    /** Live sessions counted by hub and node, in that order (the console's overview). */
    java.util.List<Count> countByHub();

    record Count(String hub, String node, int sessions) {}
}
