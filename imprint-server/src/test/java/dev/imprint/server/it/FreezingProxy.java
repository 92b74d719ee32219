package dev.imprint.server.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP relay that can freeze: {@link #freeze()} stops forwarding the server's bytes
 * on every connection open at that moment (they are swallowed, the sockets stay open), as a
 * network that loses answers would. Connections opened afterwards relay normally. Closing it
 * closes every socket it opened.
 */
final class FreezingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    final AtomicLong swallowed = new AtomicLong();

    private final class Link {
        final Socket client;
        final Socket server;
        volatile boolean frozen;

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }
    }

    FreezingProxy(int targetPort) throws IOException {
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        this.listener = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "freezing-proxy-accept");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Swallows, from now on, what the server sends on the connections open now. @return how many */
    int freeze() {
        links.forEach(l -> l.frozen = true);
        return links.size();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket c = listener.accept();
                Socket s = new Socket();
                s.connect(target, 2000);
                Link l = new Link(c, s);
                links.add(l);
                pump(c.getInputStream(), s.getOutputStream(), l, false);
                pump(s.getInputStream(), c.getOutputStream(), l, true);
            } catch (IOException e) {
                // listener closed, or the target refused one connection: the client sees it closed
            }
        }
    }

    private void pump(InputStream in, OutputStream out, Link l, boolean fromServer) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (fromServer && l.frozen) {
                        swallowed.addAndGet(n);
                        continue;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side went away
            } finally {
                closeQuietly(l.client);
                closeQuietly(l.server);
            }
        }, "freezing-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closeQuietly(listener);
        links.forEach(l -> {
            closeQuietly(l.client);
            closeQuietly(l.server);
        });
    }

    private static void closeQuietly(ServerSocket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
