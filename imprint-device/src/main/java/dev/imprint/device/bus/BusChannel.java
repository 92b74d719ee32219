package dev.imprint.device.bus;

import java.time.Duration;

/** One conversation partner on the bus (device side or station side). Not thread-safe: one conversation at a time. */
public interface BusChannel extends AutoCloseable {

    /**
     * Waits for the next frame.
     *
     * @throws BusException TIMEOUT when nothing complete arrives in time, CLOSED when the peer
     *     hung up, BAD_MAGIC / BAD_VERSION / UNKNOWN_TYPE / FRAME_TOO_LARGE for garbage, IO
     */
    Frame receive(Duration timeout);

    /** @throws BusException CLOSED or IO */
    void send(Frame frame);

    /** Who is on the other end, for logs ("sim", "unix:/path", "127.0.0.1:51234", "serial:/dev/pts/3"). */
    String peer();

    /**
     * After a garbage frame: on a line that stays open (serial) drops what is buffered so the
     * next device starts clean; on a connection, does nothing (the caller closes it).
     */
    default void resync() {}

    @Override
    void close();
}
