package dev.imprint.abuse;

import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client that writes and never reads (slow-read): it sends {@code request} again and again on
 * its own thread, while the server's answers pile up unread. When the server stops reading (its
 * answers cannot be written), the client's writes block; when the server gives up on it, they fail.
 */
final class SlowReader {
    private SlowReader() {}

    /**
     * @param written requests written before the writes blocked or failed
     * @param endedAfter when the server closed the connection (a write failed); null when it still held it at the end
     */
    record Outcome(long written, Duration endedAfter) {}

    /** Writes {@code request} up to {@code max} times, watching for {@code during}. */
    static Outcome writeWithoutReading(Socket socket, byte[] request, long max, Duration during) throws Exception {
        AtomicLong written = new AtomicLong();
        AtomicLong failedAt = new AtomicLong();
        OutputStream out = socket.getOutputStream();
        long start = System.nanoTime();
        Thread writer = new Thread(() -> {
            try {
                for (long i = 0; i < max; i++) {
                    out.write(request);
                    written.incrementAndGet();
                }
                out.flush();
            } catch (Exception closed) {
                failedAt.set(System.nanoTime());
            }
        }, "slow-reader");
        writer.setDaemon(true);
        writer.start();
        writer.join(during.toMillis());
        long f = failedAt.get();
        return new Outcome(written.get(), f == 0 ? null : Duration.ofNanos(f - start));
    }
}
