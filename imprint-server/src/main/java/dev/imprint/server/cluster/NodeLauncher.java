package dev.imprint.server.cluster;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts node processes detached from this command and waits for their /health.
 *
 * <p>Why {@code setsid}: a node must outlive {@code imprint cluster up} and must not receive the
 * Ctrl-C typed into its terminal; in a session of its own it gets neither. setsid(1) execs the
 * node in place (a child of the JVM leads no process group), so the PID stays the node's.
 */
final class NodeLauncher {
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Path data;
    private final List<String> command;
    private final PrintWriter out;
    /** The processes this JVM started, for their exit code while waiting. */
    private final Map<String, Process> started = new HashMap<>();

    /** @param command what runs a node: {@code java ... -jar imprint.jar up --data DIR} */
    NodeLauncher(Path data, List<String> command, PrintWriter out) {
        this.data = data;
        this.command = List.copyOf(command);
        this.out = out;
    }

    /** The {@code IMPRINT_CLUSTER_*} variables of {@code node}, reached at {@code address}; {@code balancer} null: no PROXY headers come. */
    static Map<String, String> env(ClusterPlan.NodeSpec node, String address, String balancer) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("IMPRINT_CLUSTER_NODE", node.name());
        env.put("IMPRINT_CLUSTER_ROLES", node.roles());
        if (node.bind() != null) {
            env.put("IMPRINT_CLUSTER_BIND", node.bind());
        }
        env.put("IMPRINT_CLUSTER_ADDRESS", address);
        env.put("IMPRINT_CLUSTER_HEALTH", node.health().hostPort());
        if (balancer != null) {
            env.put("IMPRINT_CLUSTER_BALANCERS", balancer);
        }
        return env;
    }

    /** Starts {@code node} with its recorded variables; its output is appended to its log. */
    ClusterState.Node start(ClusterState.Node node) throws IOException {
        Path log = Path.of(node.log());
        Files.createDirectories(log.getParent());
        List<String> argv = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            argv.add(SETSID.toString());
        }
        argv.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(argv).directory(data.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(node.env());
        Process p = pb.start();
        started.put(node.name(), p);
        OwnProcess own = OwnProcess.of(p.pid(), command);
        if (own == null) {
            throw new IllegalStateException("node " + node.name() + " exited at once; see " + log);
        }
        out.printf("  started %-14s pid %-7d %-10s %s%n", node.name(), p.pid(), node.address(), node.roles());
        out.flush();
        return node.withProcess(own);
    }

    /**
     * Waits until every node answers 200 on /health, printing progress every 5 s.
     *
     * @throws IllegalStateException naming the first node that exited or did not become healthy
     *     in time, with the end of its log
     */
    void awaitHealthy(List<ClusterState.Node> nodes, Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long nextReport = start + Duration.ofSeconds(5).toNanos();
        List<ClusterState.Node> waiting = new ArrayList<>(nodes);
        while (!waiting.isEmpty()) {
            for (var it = waiting.iterator(); it.hasNext(); ) {
                ClusterState.Node n = it.next();
                Process p = started.get(n.name());
                if (p != null && !p.isAlive()) {
                    throw new IllegalStateException("node " + n.name() + " exited with code " + p.exitValue() + tail(n));
                }
                if (healthy(n.health())) {
                    it.remove();
                    out.printf("  healthy %-14s after %.1f s%n", n.name(), (System.nanoTime() - start) / 1e9);
                    out.flush();
                }
            }
            long now = System.nanoTime();
            if (waiting.isEmpty()) {
                break;
            }
            if (now > deadline) {
                ClusterState.Node n = waiting.get(0);
                throw new IllegalStateException("node " + n.name() + " not healthy on http://" + n.health() + "/health within "
                        + timeout.toSeconds() + " s" + tail(n));
            }
            if (now > nextReport) {
                out.printf("  waiting for %s (%d s)%n", String.join(", ", waiting.stream().map(ClusterState.Node::name).toList()),
                        Duration.ofNanos(now - start).toSeconds());
                out.flush();
                nextReport = now + Duration.ofSeconds(5).toNanos();
            }
            Thread.sleep(200); // polling another process's HTTP listener: nothing to wait on
        }
    }

    /** Whether {@code health} ({@code address:port}) answers 200 on /health. */
    static boolean healthy(String health) {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + health + "/health")).timeout(Duration.ofSeconds(2)).build();
            return HTTP.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String tail(ClusterState.Node n) {
        try {
            List<String> lines = Files.readAllLines(Path.of(n.log()));
            return "; its log " + n.log() + " ends:\n    " + String.join("\n    ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "; see " + n.log();
        }
    }
}
