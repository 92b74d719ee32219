package dev.imprint.server.cluster;

import dev.imprint.device.cli.DurationConverter;
import dev.imprint.server.Main;
import dev.imprint.server.cli.CliException;
import dev.imprint.server.cli.DataOption;
import dev.imprint.server.cli.ImprintCommand;
import dev.imprint.server.config.ImprintConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imprint cluster up|status|kill|restart|down}: a cluster of node processes on this machine. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"A cluster on this machine: PostgreSQL, HAProxy and 'imprint up' node processes sharing one data folder.",
                "Each node listens on its own loopback address (127.0.1.N); HAProxy listens on the public addresses of",
                "<data>/imprint.yaml and passes TLS through to the nodes (TCP, PROXY protocol v2 from 127.0.0.9).",
                "Other commands (station, cert, device, c2d, method, twin, console login) work with --data DIR as against 'imprint up'."},
        subcommands = {ClusterCommand.Up.class, ClusterCommand.Status.class, ClusterCommand.Kill.class, ClusterCommand.Restart.class,
                ClusterCommand.Down.class})
public final class ClusterCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs {@code body}, turning a refusal ({@link IllegalStateException}) into the CLI's message and exit code. */
    static int guarded(Callable<Integer> body) throws Exception {
        try {
            return body.call();
        } catch (IllegalStateException e) {
            throw new CliException(ImprintCommand.FAILED, e.getMessage());
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            header = "Start PostgreSQL, HAProxy and the nodes on this machine, and return once all are healthy.",
            description = {"Start PostgreSQL, HAProxy and the nodes, wait until every node's /health answers, write",
                    "<data>/endpoints.json (as 'imprint up' does, with the public addresses, plus nodes[]) and",
                    "<data>/cluster.json (the PIDs), and return. The nodes run on until 'imprint cluster down'.",
                    "The node running ca starts alone first (it creates the CA and the credentials the others read).",
                    "Node output goes to <data>/logs/NODE.log. On any failure, what was started is stopped again."},
            footer = {"", "Layout (--nodes): groups ROLES=COUNT separated by ';', ROLES a comma list of ca, admin (needs ca),",
                    "dps and hub:NAME. Exactly one group runs ca. Nodes are named after their group: dps-1, dps-2, hub-1-1.",
                    "A group whose roles need one port twice is refused (dps MQTT and a hub both use 8883).",
                    "A lone ca,admin node binds the public PKI and HTTPS addresses itself; every other service is",
                    "balanced: DPS HTTPS roundrobin, DPS MQTT and hubs leastconn; new hubs get 127.0.0.3, .4, ... port 8883.",
                    "  default:  " + Layout.DEFAULT,
                    "  example:  --nodes 'ca,admin=1;dps=2;hub:hub-1=3;hub:hub-2=2'",
                    "Nodes listen on 127.0.1.N (--node-addresses), /health on port 8090; HAProxy connects from 127.0.0.9.",
                    "Public addresses and ports already in <data>/imprint.yaml are kept (set them there to move the cluster).",
                    "Needs Debian's postgresql (unless --store) and haproxy packages."})
    static final class Up implements Callable<Integer> {
        @Mixin
        DataOption data;

        @Option(names = "--nodes", paramLabel = "LAYOUT", defaultValue = Layout.DEFAULT,
                description = "which roles run on how many nodes (default: ${DEFAULT-VALUE}); see below")
        String nodes;

        @Option(names = "--node-addresses", paramLabel = "PREFIX", defaultValue = "127.0.1",
                description = "the nodes' own loopback addresses: PREFIX.1, PREFIX.2, ... (default: ${DEFAULT-VALUE})")
        String nodeNet;

        @Option(names = "--no-proxy-protocol", negatable = false,
                description = "HAProxy sends no PROXY v2 header: nodes see 127.0.0.9 as every client's address (for nodes without PROXY support)")
        boolean noProxyProtocol;

        @Option(names = "--store", paramLabel = "URL", description = "an existing PostgreSQL (jdbc:postgresql://...) instead of one in <data>/pg")
        String store;

        @Option(names = "--store-user", paramLabel = "USER", defaultValue = "imprint", description = "its user (default: ${DEFAULT-VALUE})")
        String storeUser;

        @Option(names = "--store-password", paramLabel = "PASSWORD", defaultValue = "${env:IMPRINT_STORE_PASSWORD:-}",
                description = "its password (default: env IMPRINT_STORE_PASSWORD)")
        String storePassword;

        @Option(names = "--pg-bin", paramLabel = "DIR", description = "PostgreSQL's binaries (default: the newest /usr/lib/postgresql/N/bin)")
        Path pgBin;

        @Option(names = "--haproxy", paramLabel = "PATH", description = "HAProxy's binary (default: /usr/sbin/haproxy)")
        Path haproxy;

        @Option(names = "--jar", paramLabel = "PATH", description = "the imprint.jar the nodes run (default: the one running this command)")
        Path jar;

        @Option(names = "--java-opts", paramLabel = "OPTS",
                defaultValue = "-Xmx512m -XX:MaxHeapFreeRatio=30 -XX:MinHeapFreeRatio=10 ${env:IMPRINT_JAVA_OPTS:-}",
                description = "JVM options of each node (default: ${DEFAULT-VALUE})")
        String javaOpts;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "120s", converter = DurationConverter.class,
                description = "how long the CA node, then all the others, may take to become healthy: 120s, 5m,"
                        + " or plain seconds (default: ${DEFAULT-VALUE})")
        Duration timeout;

        @Option(names = "--kafka", arity = "0..1", paramLabel = "HOST:PORT", fallbackValue = LocalKafka.DEFAULT_LISTENER,
                description = {"also start a single-node Kafka (KRaft, in its own JVM, data in <data>/kafka) on HOST:PORT",
                        "(alone: " + LocalKafka.DEFAULT_LISTENER + "; its controller on PORT+1) and set kafka.bootstrap for the nodes"})
        String kafka;

        @Option(names = "--bus", paramLabel = "postgresql|pg|kafka",
                description = {"how the nodes message each other (cluster.bus): kafka by default with --kafka, else postgresql",
                        "(pg for short); left as imprint.yaml has it when neither is given"})
        String bus;

        @Option(names = "--node-command", paramLabel = "CMD", hidden = true,
                description = "testing: run CMD (split at spaces) as each node instead of java -jar imprint.jar up --data DIR")
        String nodeCommand;

        @Spec
        CommandSpec spec;

        private static ImprintConfig.Listener hostPort(String v) {
            int colon = v.lastIndexOf(':');
            try {
                int port = Integer.parseInt(v.substring(colon + 1));
                if (colon > 0 && port > 0 && port < 65535) {
                    return new ImprintConfig.Listener(v.substring(0, colon), port);
                }
            } catch (NumberFormatException e) {
                // the message below
            }
            throw new CliException(ImprintCommand.USAGE, "--kafka: '" + v + "' is not HOST:PORT (PORT 1-65534: the controller takes PORT+1)");
        }

        /** The nodes' bus: as asked, else Kafka's when this command starts a broker, else null (the file's own setting). */
        static ImprintConfig.Bus bus(String asked, boolean withKafka) {
            if (asked == null) {
                return withKafka ? ImprintConfig.Bus.KAFKA : null;
            }
            return switch (asked.toLowerCase(java.util.Locale.ROOT)) {
                case "postgresql", "pg" -> ImprintConfig.Bus.POSTGRESQL;
                case "kafka" -> ImprintConfig.Bus.KAFKA;
                default -> throw new CliException(ImprintCommand.USAGE, "--bus: '" + asked + "' is neither postgresql (pg) nor kafka");
            };
        }

        @Override
        public Integer call() throws Exception {
            Layout layout;
            try {
                layout = Layout.parse(nodes);
            } catch (IllegalArgumentException e) {
                throw new CliException(ImprintCommand.USAGE, "--nodes: " + e.getMessage());
            }
            if (store != null && !store.startsWith("jdbc:postgresql:")) {
                throw new CliException(ImprintCommand.USAGE, "--store: '" + store + "' is not jdbc:postgresql://...");
            }
            ImprintConfig.Listener kafkaAt = kafka == null ? null : hostPort(kafka);
            ImprintConfig.Bus nodeBus = bus(bus, kafkaAt != null);
            PrintWriter out = spec.commandLine().getOut();
            return guarded(() -> {
                List<String> command = nodeCommand != null ? Arrays.asList(nodeCommand.trim().split("\\s+")) : javaCommand();
                out.printf("Starting a local cluster in %s (%s)%n", data.dir(), layout);
                out.flush();
                LocalCluster cluster = new LocalCluster(data.dir(), out);
                ImprintConfig.StoreConfig existing = store == null ? null : new ImprintConfig.StoreConfig(store, storeUser, storePassword);
                cluster.up(new LocalCluster.Options(layout, nodeNet, !noProxyProtocol, command, existing, pgBin, haproxy, timeout, kafkaAt, nodeBus));
                out.printf("The cluster is up. Endpoints in %s; 'imprint cluster status --data %s'.%n",
                        data.dir().resolve("endpoints.json"), data.dir());
                return ImprintCommand.OK;
            });
        }

        private List<String> javaCommand() {
            Path j = jar != null ? jar.toAbsolutePath() : runningJar();
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            for (String opt : javaOpts.trim().split("\\s+")) {
                if (!opt.isEmpty()) {
                    cmd.add(opt);
                }
            }
            cmd.addAll(List.of("-jar", j.toString(), "up", "--data", data.dir().toString()));
            return cmd;
        }

        /** The jar this command runs from, so that {@code ./imprint cluster up} starts nodes of the same build. */
        private static Path runningJar() {
            try {
                Path p = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                if (Files.isRegularFile(p) && p.toString().endsWith(".jar")) {
                    return p;
                }
                throw new IllegalStateException("not running from imprint.jar (classes in " + p + "): pass --jar PATH");
            } catch (java.net.URISyntaxException | SecurityException | NullPointerException e) {
                throw new IllegalStateException("cannot tell where imprint.jar is: pass --jar PATH");
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            header = "Show each node, HAProxy and PostgreSQL; exit 0 when everything is up.",
            description = {"Show each node (up: process running and /health 200; unhealthy; down), HAProxy's view of it,",
                    "HAProxy and PostgreSQL. Exit 0 when everything is up, 1 otherwise."})
    static final class Status implements Callable<Integer> {
        @Mixin
        DataOption data;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            return guarded(() -> {
                LocalCluster cluster = new LocalCluster(data.dir(), spec.commandLine().getOut());
                return ClusterStatus.print(data.dir(), cluster.state(), spec.commandLine().getOut()) ? ImprintCommand.OK : ImprintCommand.FAILED;
            });
        }
    }

    /** The data folder and node name of {@code kill} and {@code restart}. */
    static final class NodeTarget {
        @Mixin
        DataOption data;

        @Parameters(paramLabel = "NODE", description = "the node's name, as 'imprint cluster status' lists it")
        String node;
    }

    @Command(name = "kill", mixinStandardHelpOptions = true,
            header = "SIGKILL one node to try fail-over.",
            description = {"SIGKILL one node, to try fail-over: HAProxy's checks take it out within ~2 s, its devices reconnect",
                    "to the other nodes. Only a process this cluster started is signalled (PID, start time and command checked)."})
    static final class Kill implements Callable<Integer> {
        @Mixin
        NodeTarget target;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            return guarded(() -> {
                new LocalCluster(target.data.dir(), spec.commandLine().getOut()).kill(target.node);
                return ImprintCommand.OK;
            });
        }
    }

    @Command(name = "restart", mixinStandardHelpOptions = true,
            header = "Start one node again (stopping it first when it runs).",
            description = {"Start one node again with the same command and variables (stopping it first when it runs:",
                    "SIGTERM, then SIGKILL after --grace), and wait for its /health."})
    static final class Restart implements Callable<Integer> {
        @Mixin
        NodeTarget target;

        @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
                description = "time to stop before SIGKILL: 30s, 2m, or plain seconds (default: ${DEFAULT-VALUE})")
        Duration grace;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "120s", converter = DurationConverter.class,
                description = "time to become healthy: 120s, 5m, or plain seconds (default: ${DEFAULT-VALUE})")
        Duration timeout;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            return guarded(() -> {
                new LocalCluster(target.data.dir(), spec.commandLine().getOut()).restart(target.node, grace, timeout);
                return ImprintCommand.OK;
            });
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            header = "Stop everything 'cluster up' started; the data stay.",
            description = {"Stop everything 'cluster up' started, by PID: SIGTERM to every node, SIGKILL to those still running",
                    "after --grace; then HAProxy; then PostgreSQL (pg_ctl stop -m fast). Data stay in the folder:",
                    "'cluster up' on it again continues with the same CA, devices and database."})
    static final class Down implements Callable<Integer> {
        @Mixin
        DataOption data;

        @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
                description = "time to stop before SIGKILL: 30s, 2m, or plain seconds (default: ${DEFAULT-VALUE})")
        Duration grace;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            return guarded(() -> {
                new LocalCluster(data.dir(), spec.commandLine().getOut()).down(grace);
                spec.commandLine().getOut().println("The cluster is down.");
                return ImprintCommand.OK;
            });
        }
    }
}
