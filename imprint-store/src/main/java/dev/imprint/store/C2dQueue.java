package dev.imprint.store;

import java.time.Instant;
import java.util.List;

/** The cloud-to-device queue: messages wait here while their device is offline. */
public interface C2dQueue {

    /** @return the stored message with its seq */
    C2dMessage enqueue(C2dMessage message);

    /** Unexpired messages of a device in queue order, at most {@code limit}. */
    List<C2dMessage> pending(String deviceId, Instant now, int limit);

    /** Removes a delivered (acknowledged) message; false when already gone. */
    boolean complete(long seq);

    /** Deletes expired messages; @return how many */
    int expire(Instant now);
}
