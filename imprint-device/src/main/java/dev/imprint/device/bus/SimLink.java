package dev.imprint.device.bus;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The in-process bus: two queue-connected ends, with the same limits and errors as a wire. */
public final class SimLink implements BusChannel {
    private static final Frame HANGUP = new Frame(FrameType.ERROR, new byte[0]);

    private final LinkedBlockingQueue<Frame> inbox;
    private final LinkedBlockingQueue<Frame> outbox;
    private final String peer;
    private volatile boolean closed;

    private SimLink(LinkedBlockingQueue<Frame> inbox, LinkedBlockingQueue<Frame> outbox, String peer) {
        this.inbox = inbox;
        this.outbox = outbox;
        this.peer = peer;
    }

    /** Two connected ends: {@code [0]} for the station, {@code [1]} for the device. */
    public static SimLink[] pair(String name) {
        LinkedBlockingQueue<Frame> a = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Frame> b = new LinkedBlockingQueue<>();
        return new SimLink[] {new SimLink(a, b, "sim:" + name), new SimLink(b, a, "sim:station")};
    }

    @Override
    public Frame receive(Duration timeout) {
        try {
            Frame f = inbox.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (f == null) {
                throw new BusException(BusException.Reason.TIMEOUT, "no frame from " + peer + " within " + timeout.toMillis() + " ms");
            }
            if (f == HANGUP) {
                inbox.offer(HANGUP);
                throw new BusException(BusException.Reason.CLOSED, peer + " hung up");
            }
            return f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BusException(BusException.Reason.IO, "interrupted");
        }
    }

    @Override
    public void send(Frame frame) {
        if (closed) {
            throw new BusException(BusException.Reason.CLOSED, "link to " + peer + " is closed");
        }
        outbox.offer(frame);
    }

    @Override
    public String peer() {
        return peer;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            outbox.offer(HANGUP);
        }
    }
}
