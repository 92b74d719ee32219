package dev.imprint.device.bus;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A {@link BusChannel} over a byte stream. Deadlines work in one of two ways: on sockets a
 * watchdog closes the connection when the deadline passes (a blocked socket read returns at
 * once); on a serial line, where closing does not reliably wake a blocked read, the reader
 * only reads what {@code available()} reports and sleeps in between.
 */
public final class StreamChannel implements BusChannel {
    private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

    private final InputStream in;
    private final OutputStream out;
    private final Closeable underlying;
    private final boolean poll;
    private final String peer;
    private volatile boolean timedOut;
    private volatile boolean closed;

    private StreamChannel(InputStream in, OutputStream out, Closeable underlying, boolean poll, String peer) {
        this.in = in;
        this.out = out;
        this.underlying = underlying;
        this.poll = poll;
        this.peer = peer;
    }

    /** A connection (TCP, UNIX socket): deadlines close it. */
    public static StreamChannel connection(InputStream in, OutputStream out, Closeable underlying, String peer) {
        return new StreamChannel(in, out, underlying, false, peer);
    }

    /** A serial line: deadlines by polling {@code available()}. */
    public static StreamChannel line(InputStream in, OutputStream out, Closeable underlying, String peer) {
        return new StreamChannel(in, out, underlying, true, peer);
    }

    @Override
    public Frame receive(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ScheduledFuture<?> dog = poll ? null : WATCHDOG.schedule(() -> {
            timedOut = true;
            closeQuietly();
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        try {
            byte[] h = new byte[FrameCodec.HEADER];
            readFully(h, 0, 2, deadline);
            if (h[0] != FrameCodec.M0 || h[1] != FrameCodec.M1) {
                FrameCodec.payloadLength(h); // throws BAD_MAGIC before we wait for more garbage
            }
            readFully(h, 2, FrameCodec.HEADER - 2, deadline);
            int n = FrameCodec.payloadLength(h);
            byte[] payload = new byte[n];
            readFully(payload, 0, n, deadline);
            return new Frame(FrameType.of(h[3] & 0xff), payload);
        } catch (IOException e) {
            if (timedOut) {
                throw new BusException(BusException.Reason.TIMEOUT, "no complete frame from " + peer + " within " + timeout.toMillis() + " ms");
            }
            if (e instanceof EOFException || closed) {
                throw new BusException(BusException.Reason.CLOSED, peer + " hung up", e);
            }
            throw new BusException(BusException.Reason.IO, "reading from " + peer + ": " + e.getMessage(), e);
        } finally {
            if (dog != null) {
                dog.cancel(false);
            }
        }
    }

    private void readFully(byte[] b, int off, int len, long deadline) throws IOException {
        int done = 0;
        while (done < len) {
            if (poll) {
                while (in.available() <= 0) {
                    if (System.nanoTime() > deadline) {
                        timedOut = true;
                        throw new IOException("deadline passed");
                    }
                    sleep();
                }
                int r = in.read(b, off + done, Math.min(len - done, in.available()));
                if (r < 0) {
                    throw new EOFException();
                }
                done += r;
            } else {
                int r = in.read(b, off + done, len - done);
                if (r < 0) {
                    throw new EOFException();
                }
                done += r;
            }
        }
    }

    private static void sleep() throws IOException {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    @Override
    public void send(Frame frame) {
        try {
            FrameCodec.write(out, frame);
        } catch (IOException e) {
            throw new BusException(closed ? BusException.Reason.CLOSED : BusException.Reason.IO, "writing to " + peer + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void resync() {
        if (!poll) {
            return;
        }
        try {
            // let the rest of a garbage burst arrive, then drop it
            long quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            byte[] sink = new byte[4096];
            while (System.nanoTime() < quietUntil) {
                int n = in.available();
                if (n > 0) {
                    // read, not skip: skip seeks, and a tty cannot seek
                    in.read(sink, 0, Math.min(n, sink.length));
                    quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
                }
                sleep();
            }
        } catch (IOException ignored) {
            // the next receive reports the line's state
        }
    }

    @Override
    public String peer() {
        return peer;
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        closed = true;
        try {
            underlying.close();
        } catch (IOException ignored) {
            // closing is best effort; the peer sees the hang-up either way
        }
    }

    private static ScheduledThreadPoolExecutor watchdog() {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "imprint-bus-watchdog");
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true);
        return e;
    }
}
