package dev.imprint.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A hand-driven HTTP/1.1 client over real TLS for abuse tests: sends exactly the bytes and at
 * the pace the test chooses (a slowloris trickling a header or a chunked body), and reads a
 * response by its Content-Length.
 */
public final class SlowHttp implements AutoCloseable {
    private final SSLSocket socket;
    private final OutputStream out;
    private final InputStream in;

    private SlowHttp(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = socket.getInputStream();
    }

    /** Connects and completes the TLS handshake. */
    public static SlowHttp connect(SSLContext tls, String host, int port) throws IOException {
        SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(host, port);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return new SlowHttp(s);
    }

    public SlowHttp send(String ascii) throws IOException {
        out.write(ascii.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    /**
     * Sends {@code ascii} one byte per {@code every}, again from the start when done, until the
     * server closes the connection or {@code max} passes.
     *
     * @return the time from the first byte until the server closed
     * @throws AssertionError when the server still held the connection after {@code max}
     */
    public Duration trickleUntilClosed(String ascii, Duration every, Duration max) throws IOException {
        byte[] b = ascii.getBytes(StandardCharsets.ISO_8859_1);
        long start = System.nanoTime();
        socket.setSoTimeout((int) Math.max(1, every.toMillis()));
        for (int i = 0; System.nanoTime() - start < max.toNanos(); i = (i + 1) % b.length) {
            try {
                out.write(b[i]);
                out.flush();
                // the read waits one interval: end of stream means the server closed (an answer is read past)
                if (in.read() < 0) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
            } catch (SocketTimeoutException stillOpen) {
                // the pace of the trickle
            } catch (IOException closed) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
        }
        throw new AssertionError("the server still held the connection after " + max);
    }

    /**
     * Sends nothing more and reads (discarding any answer) until the server closes.
     *
     * @return the time until the server closed
     * @throws AssertionError when the server still held the connection after {@code max}
     */
    public Duration awaitClosed(Duration max) throws IOException {
        return RawTcp.untilClosed(socket, max);
    }

    /** Reads one response: the status code and the body (by Content-Length). */
    public Response read() throws IOException {
        socket.setSoTimeout(10_000);
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed in the response head: " + head);
            }
            head.write(c);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(h.substring(9, 12));
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return new Response(status, h, new String(body, StandardCharsets.UTF_8));
    }

    public record Response(int status, String head, String body) {}

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
