package dev.imprint.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/** A bare TCP client for refusal tests: first bytes of the test's choosing from a source address of its choosing. */
public final class RawTcp {
    private RawTcp() {}

    /**
     * Connects from {@code source} to {@code target}, sends {@code bytes} and reads (discarding)
     * until the server closes.
     *
     * @return true when the server closed the connection within 10 s
     */
    public static boolean closedAfter(String source, InetSocketAddress target, byte[] bytes) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(target, 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(bytes);
            InputStream in = s.getInputStream();
            while (in.read() >= 0) {
                // whatever the server says before closing is not the point
            }
            return true;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        }
    }

    /**
     * Sends nothing more and reads (discarding any answer) until the server closes {@code socket}.
     *
     * @return the time until the server closed
     * @throws AssertionError when the server still held the connection after {@code max}
     */
    public static java.time.Duration untilClosed(Socket socket, java.time.Duration max) throws IOException {
        long start = System.nanoTime();
        socket.setSoTimeout(100);
        InputStream in = socket.getInputStream();
        while (System.nanoTime() - start < max.toNanos()) {
            try {
                if (in.read() < 0) {
                    return java.time.Duration.ofNanos(System.nanoTime() - start);
                }
            } catch (java.net.SocketTimeoutException stillOpen) {
                // keep waiting
            } catch (IOException closed) {
                return java.time.Duration.ofNanos(System.nanoTime() - start);
            }
        }
        throw new AssertionError("the server still held the connection after " + max);
    }
}
