package dev.imprint.abuse;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Many TCP connections from one thread (non-blocking), each sending the same first bytes (nothing,
 * the start of a TLS ClientHello, garbage) and then nothing more; waits until the server has
 * closed every one of them and tells how long each took. The client side never closes first.
 */
final class HalfOpen {
    private HalfOpen() {}

    /** When each connection was closed by the server, from the moment it was opened (sorted), and those still open at {@code max}. */
    record Result(List<Duration> closedAfter, int stillOpen) {
        Duration p(double q) {
            if (closedAfter.isEmpty()) {
                return Duration.ZERO;
            }
            return closedAfter.get(Math.min(closedAfter.size() - 1, Math.max(0, (int) Math.ceil(q * closedAfter.size()) - 1)));
        }

        Duration max() {
            return closedAfter.isEmpty() ? Duration.ZERO : closedAfter.get(closedAfter.size() - 1);
        }

        String show() {
            return String.format("%d closed: p50 %.2f s, max %.2f s; %d still open", closedAfter.size(), p(0.5).toMillis() / 1000.0,
                    max().toMillis() / 1000.0, stillOpen);
        }
    }

    /**
     * @param source the local address to connect from (127.0.6.x: the server's per-source budgets are then this test's own)
     * @param first what each connection sends after connecting (may be empty)
     */
    static Result open(String source, List<InetSocketAddress> targets, int perTarget, byte[] first, Duration max) throws IOException {
        List<Duration> closed = Collections.synchronizedList(new ArrayList<>());
        int open = 0;
        try (Selector sel = Selector.open()) {
            List<SocketChannel> all = new ArrayList<>();
            try {
                for (int i = 0; i < perTarget; i++) {
                    for (InetSocketAddress t : targets) {
                        SocketChannel ch = SocketChannel.open();
                        all.add(ch);
                        ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                        ch.bind(new InetSocketAddress(source, 0));
                        ch.connect(t);
                        if (first.length > 0) {
                            ch.write(ByteBuffer.wrap(first));
                        }
                        ch.configureBlocking(false);
                        ch.register(sel, SelectionKey.OP_READ, System.nanoTime());
                        open++;
                    }
                }
                ByteBuffer sink = ByteBuffer.allocate(16 * 1024);
                long deadline = System.nanoTime() + max.toNanos();
                while (open > 0 && System.nanoTime() < deadline) {
                    sel.select(100);
                    for (SelectionKey k : sel.selectedKeys()) {
                        SocketChannel ch = (SocketChannel) k.channel();
                        int n;
                        try {
                            sink.clear();
                            n = ch.read(sink);
                        } catch (IOException reset) {
                            n = -1;
                        }
                        if (n < 0) {
                            closed.add(Duration.ofNanos(System.nanoTime() - (Long) k.attachment()));
                            k.cancel();
                            ch.close();
                            open--;
                        }
                    }
                    sel.selectedKeys().clear();
                }
            } finally {
                for (SocketChannel ch : all) {
                    ch.close();
                }
            }
        }
        List<Duration> sorted = new ArrayList<>(closed);
        Collections.sort(sorted);
        return new Result(sorted, open);
    }

    /** The first 5 bytes of a TLS 1.2 handshake record announcing 512 bytes that never come. */
    static final byte[] CLIENT_HELLO_START = {0x16, 0x03, 0x01, 0x02, 0x00};
}
