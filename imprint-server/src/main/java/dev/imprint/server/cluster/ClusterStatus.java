package dev.imprint.server.cluster;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code imprint cluster status}: each node up (its process runs and /health answers 200),
 * unhealthy (it runs, /health does not answer) or down; HAProxy's own view of each node from its
 * stats page; HAProxy and PostgreSQL.
 */
final class ClusterStatus {
    /** A node's state. */
    enum State { UP, UNHEALTHY, DOWN }

    private ClusterStatus() {}

    static State state(ClusterState.Node n) {
        if (n.process() == null || !n.process().alive()) {
            return State.DOWN;
        }
        return NodeLauncher.healthy(n.health()) ? State.UP : State.UNHEALTHY;
    }

    /** Prints the table; true when every process is up. */
    static boolean print(Path data, ClusterState s, PrintWriter out) throws IOException, InterruptedException {
        boolean haproxyUp = s.haproxy() != null && s.haproxy().alive();
        Map<String, String> balancer = haproxyUp ? balancerView() : Map.of();
        boolean allUp = true;
        out.printf("%-14s %-18s %-8s %-12s %-16s %-10s %s%n", "NODE", "ROLES", "PID", "ADDRESS", "HEALTH", "STATE", "HAPROXY");
        for (ClusterState.Node n : s.nodes()) {
            State st = state(n);
            allUp &= st == State.UP;
            out.printf("%-14s %-18s %-8s %-12s %-16s %-10s %s%n", n.name(), n.roles(),
                    st == State.DOWN || n.process() == null ? "-" : Long.toString(n.process().pid()), n.address(), n.health(),
                    st.name().toLowerCase(java.util.Locale.ROOT), balancer.getOrDefault(n.name(), "-"));
        }
        if (s.haproxy() != null) {
            allUp &= haproxyUp;
            out.printf("haproxy        pid %d %s  (config %s, stats http://%s:%d/)%n", s.haproxy().pid(), haproxyUp ? "up" : "DOWN",
                    data.resolve("haproxy.cfg"), ClusterPlan.BALANCER, HaproxyConfig.STATS_PORT);
        }
        ClusterState.Postgres pg = s.postgres();
        if (pg != null && pg.managed()) {
            LocalPostgres local = new LocalPostgres(data, Path.of(pg.binDir()));
            boolean running = local.running();
            allUp &= running;
            out.printf("postgres       %s  %s  (data %s)%n", pg.url(), running ? "up, pid " + local.pid() : "DOWN", pg.dataDir());
        } else if (pg != null) {
            out.printf("postgres       %s  (not managed here)%n", pg.url());
        }
        out.flush();
        return allUp;
    }

    /** Per node, the states HAProxy's checks give its servers ({@code UP}, {@code DOWN}, ...); empty when the page does not answer. */
    static Map<String, String> balancerView() {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + ClusterPlan.BALANCER + ":" + HaproxyConfig.STATS_PORT + "/;csv"))
                    .timeout(Duration.ofSeconds(2)).build();
            String csv = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString()).body();
            return parseStats(csv);
        } catch (IOException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    /** From HAProxy's CSV stats: server name to its distinct states, e.g. {@code UP} or {@code DOWN,UP}. */
    static Map<String, String> parseStats(String csv) {
        List<String> lines = csv.lines().toList();
        if (lines.isEmpty() || !lines.get(0).startsWith("# ")) {
            return Map.of();
        }
        List<String> header = Arrays.asList(lines.get(0).substring(2).split(","));
        int sv = header.indexOf("svname");
        int status = header.indexOf("status");
        Map<String, TreeSet<String>> byNode = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (f.length <= Math.max(sv, status) || f[sv].equals("FRONTEND") || f[sv].equals("BACKEND")) {
                continue;
            }
            byNode.computeIfAbsent(f[sv], k -> new TreeSet<>()).add(f[status]);
        }
        Map<String, String> out = new LinkedHashMap<>();
        byNode.forEach((k, v) -> out.put(k, String.join(",", v)));
        return out;
    }
}
