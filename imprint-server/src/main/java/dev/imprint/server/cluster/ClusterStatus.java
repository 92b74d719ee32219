package dev.imprint.server.cluster;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code imprint cluster status}: each node up (its process runs and /health answers 200),
 * unhealthy (it runs, /health does not answer) or down; HAProxy's own view of each node from its
 * stats socket; HAProxy, Kafka (with {@code --kafka}) and PostgreSQL.
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
        Map<String, String> balancer = haproxyUp ? Haproxy.serverStates(data) : Map.of();
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
            out.printf("haproxy        pid %d %s  (config %s)%n", s.haproxy().pid(), haproxyUp ? "up" : "DOWN", data.resolve("haproxy.cfg"));
        }
        if (s.kafka() != null) {
            boolean kafkaUp = s.kafka().process() != null && s.kafka().process().alive();
            allUp &= kafkaUp;
            out.printf("kafka          %s  %s  (data %s)%n", s.kafka().bootstrap(), kafkaUp ? "up, pid " + s.kafka().process().pid() : "DOWN",
                    s.kafka().dataDir());
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
}
