package dev.imprint.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy (Debian's {@code /usr/sbin/haproxy}, installed by {@code scripts/test}) as a child
 * process: TCP mode, TLS passed through untouched, PROXY protocol v2 to each backend, its
 * backend connections leaving from {@code source} (a loopback address of its own, so a server
 * can tell the balancer from the client). Config written into a temp folder; {@link #close()}
 * stops the process it started, by its PID.
 */
public final class Haproxy implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/sbin/haproxy");

    /** One frontend -> backend pair; the frontend port is picked free on {@code frontendHost}. */
    public record Route(String frontendHost, int frontendPort, String backendHost, int backendPort) {
        public InetSocketAddress frontend() {
            return new InetSocketAddress(frontendHost, frontendPort);
        }
    }

    private final Process process;
    private final List<Route> routes;
    private final Path log;

    private Haproxy(Process process, List<Route> routes, Path log) {
        this.process = process;
        this.routes = routes;
        this.log = log;
    }

    public static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    /**
     * Starts HAProxy with one frontend per backend, each on a free port of {@code frontendHost},
     * and waits (at most 10 s) until every frontend accepts.
     *
     * @param backends host:port of each backend, in order; {@link #routes()} keeps the order
     */
    public static Haproxy start(Path dir, String frontendHost, String source, List<InetSocketAddress> backends) throws IOException {
        List<Route> routes = new ArrayList<>();
        StringBuilder cfg = new StringBuilder("""
                global
                    maxconn 8000
                defaults
                    mode tcp
                    timeout connect 5s
                    timeout client 120s
                    timeout server 120s
                """);
        for (int i = 0; i < backends.size(); i++) {
            InetSocketAddress b = backends.get(i);
            Route r = new Route(frontendHost, freePort(frontendHost), b.getHostString(), b.getPort());
            routes.add(r);
            cfg.append("frontend f").append(i).append('\n')
                    .append("    bind ").append(r.frontendHost()).append(':').append(r.frontendPort()).append('\n')
                    .append("    default_backend b").append(i).append('\n')
                    .append("backend b").append(i).append('\n')
                    .append("    source ").append(source).append('\n')
                    .append("    server s").append(i).append(' ').append(r.backendHost()).append(':').append(r.backendPort())
                    .append(" send-proxy-v2\n");
        }
        Path conf = dir.resolve("haproxy.cfg");
        Files.writeString(conf, cfg);
        Path log = dir.resolve("haproxy.log");
        // -db: stay in the foreground (the PID we hold is HAProxy itself); -f: this config only
        Process p = new ProcessBuilder(BINARY.toString(), "-db", "-f", conf.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Haproxy h = new Haproxy(p, List.copyOf(routes), log);
        try {
            for (Route r : routes) {
                h.awaitListening(r.frontend());
            }
        } catch (IOException | RuntimeException e) {
            h.close();
            throw e;
        }
        return h;
    }

    public List<Route> routes() {
        return routes;
    }

    public long pid() {
        return process.pid();
    }

    private void awaitListening(InetSocketAddress frontend) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("haproxy exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(frontend, 200);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("haproxy not listening on " + frontend + " within 10 s: " + Files.readString(log));
                }
                try {
                    process.waitFor(50, TimeUnit.MILLISECONDS); // a bounded pause that also notices an exit
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        }
    }

    private static int freePort(String host) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }

    /** Stops the HAProxy this started (SIGTERM to its PID, SIGKILL after 5 s). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
