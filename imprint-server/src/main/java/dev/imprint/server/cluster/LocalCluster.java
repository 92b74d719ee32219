package dev.imprint.server.cluster;

import dev.imprint.server.config.ConfigException;
import dev.imprint.server.config.ConfigLoader;
import dev.imprint.server.config.ImprintConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A cluster on this machine in one data folder: PostgreSQL, HAProxy and the node processes,
 * started in that order and stopped in the reverse one, each recorded in {@code cluster.json}.
 * Every mutating command holds {@code <data>/run/cluster.lock}, so two of them never interleave.
 */
final class LocalCluster {
    private final Path data;
    private final PrintWriter out;

    LocalCluster(Path data, PrintWriter out) {
        this.data = data;
        this.out = out;
    }

    /**
     * What {@code cluster up} needs besides the layout.
     *
     * @param nodeCommand what runs one node
     * @param store an existing PostgreSQL (url, user, password); null to run one in {@code <data>/pg}
     * @param pgBin PostgreSQL's binaries; null for Debian's newest
     * @param haproxy HAProxy's binary; null for Debian's
     * @param timeout how long each wave of nodes may take to become healthy
     * @param nodeNet the nodes' addresses without the last octet ({@code 127.0.1.})
     * @param proxyProtocol whether HAProxy sends PROXY v2 headers (and nodes are told its address)
     * @param kafka where a Kafka broker of this cluster listens; null for none
     * @param bus the nodes' {@code cluster.bus}; null leaves it as the configuration file has it
     */
    record Options(Layout layout, String nodeNet, boolean proxyProtocol, List<String> nodeCommand, ImprintConfig.StoreConfig store, Path pgBin, Path haproxy, Duration timeout,
            ImprintConfig.Listener kafka, ImprintConfig.Bus bus) {}

    /**
     * Starts everything; on any failure stops what it started and throws.
     *
     * @throws IllegalStateException with a message for the user (a cluster already running, a
     *     missing binary, a port in use, a node that did not become healthy with the end of its log)
     */
    ClusterState up(Options o) throws Exception {
        Files.createDirectories(data.resolve("run"));
        try (AutoCloseable lock = lock()) {
            ClusterState old = ClusterState.read(data);
            if (old != null && anyAlive(old)) {
                throw new IllegalStateException("a cluster is already running in " + data + " ('imprint cluster status --data "
                        + data + "'; 'imprint cluster down' stops it)");
            }
            Path haproxyBin = o.layout().balanced() ? Haproxy.binary(o.haproxy()) : null;
            Path pgBin = o.store() == null ? LocalPostgres.binaries(o.pgBin()) : null;
            Rollback undo = new Rollback();
            Thread onInterrupt = new Thread(() -> {
                if (undo.run()) {
                    out.println("  interrupted: stopped what was started");
                    out.flush();
                    quietly(() -> ClusterState.delete(data));
                }
            }, "imprint-cluster-rollback");
            Runtime.getRuntime().addShutdownHook(onInterrupt);
            try {
                ClusterState state = start(o, haproxyBin, pgBin, undo);
                undo.commit();
                return state;
            } catch (Exception | Error e) {
                out.println("  stopping what was started");
                out.flush();
                undo.run();
                ClusterState.delete(data);
                throw e;
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(onInterrupt);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs or ran
                }
            }
        }
    }

    private ClusterState start(Options o, Path haproxyBin, Path pgBin, Rollback undo) throws Exception {
        ClusterState.Postgres pg;
        String user;
        String password;
        if (o.store() != null) {
            pg = new ClusterState.Postgres(null, null, 0, o.store().url());
            user = o.store().user();
            password = o.store().password();
        } else {
            LocalPostgres local = new LocalPostgres(data, pgBin);
            if (local.running()) { // left running by an interrupted 'down': the cluster's own database, used as it is
                pg = local.adopt();
            } else {
                pg = local.start(LocalPostgres.freePort(0));
                undo.add(() -> quietly(local::stop));
            }
            out.printf("  postgres  127.0.0.1:%d  data %s%n", pg.port(), pg.dataDir());
            user = LocalPostgres.DATABASE;
            password = local.password();
        }
        ClusterState.Kafka kafka = null;
        if (o.kafka() != null) {
            ClusterState.Kafka started = LocalKafka.start(data, o.kafka());
            undo.add(() -> quietly(() -> started.process().stop(LocalKafka.GRACE)));
            out.printf("  kafka     %s  pid %d  data %s%n", started.bootstrap(), started.process().pid(), started.dataDir());
            kafka = started;
        }
        ClusterConfigFile.write(data, o.layout(), pg.url(), user, password, kafka == null ? null : kafka.bootstrap(), o.bus());
        ImprintConfig config = config();
        if (o.layout().runsDps() && config.dps().idScope() == null) {
            DpsScope.ensure(data);
        }
        ClusterPlan plan;
        try {
            plan = ClusterPlan.of(o.layout(), config, o.nodeNet());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("--nodes " + e.getMessage());
        }
        checkPortsFree(plan, config);
        List<ClusterState.Node> nodes = plan.nodes().stream().map(n -> new ClusterState.Node(n.name(), n.roles(), n.shownAddress(config),
                n.health().hostPort(), NodeLauncher.env(n, n.shownAddress(config), o.proxyProtocol() ? plan.balancer() : null), null, data.resolve("logs").resolve(n.name() + ".log").toString()))
                .toList();
        ClusterState state = new ClusterState(o.layout().toString(), o.nodeCommand(), nodes, null, pg, kafka);
        if (!plan.services().isEmpty()) {
            Haproxy haproxy = new Haproxy(haproxyBin, data);
            haproxy.write(HaproxyConfig.render(plan, Haproxy.statsSocket(data), o.proxyProtocol()));
            OwnProcess hp = haproxy.start();
            undo.add(() -> quietly(() -> hp.stop(Duration.ofSeconds(5))));
            state = state.withHaproxy(hp);
            out.printf("  haproxy   pid %d  %d frontends  config %s%n", hp.pid(), plan.services().size(), data.resolve("haproxy.cfg"));
        }
        state.write(data);
        NodeLauncher launcher = new NodeLauncher(data, o.nodeCommand(), out);
        List<List<ClusterState.Node>> waves = List.of(nodes.subList(0, 1), nodes.subList(1, nodes.size()));
        for (List<ClusterState.Node> wave : waves) {
            List<ClusterState.Node> running = new ArrayList<>();
            for (ClusterState.Node n : wave) {
                ClusterState.Node started = launcher.start(n);
                undo.add(() -> quietly(() -> started.process().stop(Duration.ofSeconds(10))));
                state = state.with(started);
                state.write(data);
                running.add(started);
            }
            launcher.awaitHealthy(running, o.timeout());
        }
        ClusterEndpoints.of(config, state).write(data);
        return state;
    }

    /** The cluster's configuration as the nodes load it, without any node's own cluster.* variables. */
    ImprintConfig config() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(k -> k.startsWith("IMPRINT_CLUSTER_"));
        try {
            return ConfigLoader.load(data, env);
        } catch (ConfigException e) {
            throw new IllegalStateException(ClusterConfigFile.file(data) + ": " + e.getMessage());
        }
    }

    /** Every address:port the cluster will listen on must be free now: one message names all that are not. */
    private static void checkPortsFree(ClusterPlan plan, ImprintConfig config) throws IOException {
        Set<ImprintConfig.Listener> wanted = new LinkedHashSet<>();
        plan.services().forEach(s -> {
            wanted.add(s.frontend());
            s.servers().forEach(srv -> wanted.add(srv.target()));
        });
        for (ClusterPlan.NodeSpec n : plan.nodes()) {
            wanted.add(n.health());
            if (n.bind() == null) {
                wanted.add(config.pki());
                wanted.add(config.https().listener());
            }
        }
        List<String> busy = new ArrayList<>();
        for (ImprintConfig.Listener l : wanted) {
            try (ServerSocket s = new ServerSocket(l.port(), 1, InetAddress.getByName(l.address()))) {
                s.setReuseAddress(true);
            } catch (IOException e) {
                busy.add(l.hostPort());
            }
        }
        if (!busy.isEmpty()) {
            throw new IllegalStateException("in use already: " + String.join(", ", busy)
                    + " (another 'imprint up' or cluster? 'imprint cluster down --data DIR' stops a cluster)");
        }
    }

    /** Holds {@code <data>/run/cluster.lock} until closed (closing the channel releases the lock). */
    AutoCloseable lock() throws IOException {
        Files.createDirectories(data.resolve("run"));
        FileChannel ch = FileChannel.open(data.resolve("run").resolve("cluster.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l = ch.tryLock();
        if (l == null) {
            ch.close();
            throw new IllegalStateException("another 'imprint cluster' command is working on " + data);
        }
        return ch::close;
    }

    /** The recorded cluster; throws when there is none. */
    ClusterState state() throws IOException {
        ClusterState s = ClusterState.read(data);
        if (s == null) {
            throw new IllegalStateException("no cluster recorded in " + data + " ('imprint cluster up --data " + data + "' starts one)");
        }
        return s;
    }

    /**
     * Stops every recorded process: SIGTERM to all nodes at once, up to {@code grace} for them to
     * end, SIGKILL to the rest; then Kafka, HAProxy, PostgreSQL ({@code pg_ctl stop -m fast}).
     */
    void down(Duration grace) throws Exception {
        try (AutoCloseable lock = lock()) {
            ClusterState s = state();
            List<ClusterState.Node> stopping = new ArrayList<>();
            for (ClusterState.Node n : s.nodes()) {
                if (n.process() != null && n.process().terminate()) {
                    stopping.add(n);
                }
            }
            long deadline = System.nanoTime() + grace.toNanos();
            for (ClusterState.Node n : stopping) {
                boolean ended = n.process().awaitExit(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                if (!ended) {
                    n.process().kill();
                    n.process().awaitExit(Duration.ofSeconds(5));
                }
                out.printf("  stopped %-14s pid %d%s%n", n.name(), n.process().pid(), ended ? "" : " (SIGKILL after " + grace.toSeconds() + " s)");
            }
            // after the nodes, whose producers hand over what they hold while they stop
            if (s.kafka() != null && s.kafka().process() != null && s.kafka().process().stop(LocalKafka.GRACE)) {
                out.printf("  stopped kafka          pid %d%n", s.kafka().process().pid());
            }
            if (s.haproxy() != null && s.haproxy().stop(Duration.ofSeconds(5))) {
                out.printf("  stopped haproxy        pid %d%n", s.haproxy().pid());
            }
            if (s.postgres() != null && s.postgres().managed()
                    && new LocalPostgres(data, Path.of(s.postgres().binDir())).stop()) {
                out.printf("  stopped postgres       %s%n", s.postgres().dataDir());
            }
            ClusterState.delete(data);
            out.flush();
        }
    }

    /** SIGKILL to one node (to try fail-over); the others and HAProxy run on. */
    void kill(String name) throws Exception {
        try (AutoCloseable lock = lock()) {
            ClusterState s = state();
            ClusterState.Node n = node(s, name);
            if (n.process() == null || !n.process().kill()) {
                throw new IllegalStateException("node " + name + " is not running");
            }
            n.process().awaitExit(Duration.ofSeconds(10));
            out.printf("  killed %s (pid %d, SIGKILL)%n", name, n.process().pid());
            ClusterEndpoints.of(config(), s).write(data);
        }
    }

    /** Stops one node when it runs (SIGTERM, {@code grace}, SIGKILL) and starts it again with the same command and variables. */
    void restart(String name, Duration grace, Duration timeout) throws Exception {
        try (AutoCloseable lock = lock()) {
            ClusterState s = state();
            ClusterState.Node n = node(s, name);
            if (n.process() != null && n.process().stop(grace)) {
                out.printf("  stopped %-14s pid %d%n", name, n.process().pid());
            }
            NodeLauncher launcher = new NodeLauncher(data, s.nodeCommand(), out);
            ClusterState.Node started = launcher.start(n);
            s = s.with(started);
            s.write(data);
            launcher.awaitHealthy(List.of(started), timeout);
            ClusterEndpoints.of(config(), s).write(data);
        }
    }

    private static ClusterState.Node node(ClusterState s, String name) {
        ClusterState.Node n = s.node(name);
        if (n == null) {
            throw new IllegalStateException("no node " + name + " (nodes: " + String.join(", ", s.nodes().stream().map(ClusterState.Node::name).toList()) + ")");
        }
        return n;
    }

    static boolean anyAlive(ClusterState s) {
        return (s.haproxy() != null && s.haproxy().alive()) || (s.kafka() != null && s.kafka().process() != null && s.kafka().process().alive())
                || s.nodes().stream().anyMatch(n -> n.process() != null && n.process().alive());
    }

    /** A clean-up step: its failure is printed, the next step still runs. */
    interface Step {
        void run() throws Exception;
    }

    void quietly(Step step) {
        try {
            step.run();
        } catch (Exception e) {
            out.println("  (clean-up: " + e.getMessage() + ")");
        }
    }
}
