package dev.imprint.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.server.config.ConfigException;
import dev.imprint.server.config.ConfigLoader;
import dev.imprint.server.config.ImprintConfig;
import dev.imprint.store.NodeStore;
import dev.imprint.store.Store;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imprint node list}: the nodes of a cluster as the node table records them, read straight from the store. */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "The nodes of a cluster on PostgreSQL (store.url of the data folder's configuration).",
        subcommands = NodeCommand.ListNodes.class)
public final class NodeCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            header = "Every node of the cluster with its roles, address, sessions and state.",
            description = {"Every node: name, roles, address, pid, age, sessions held, state (live until its lease runs out, then dead",
                    "until another node's janitor removes its row)."})
    static final class ListNodes implements Callable<Integer> {
        @Mixin
        DataOption data;

        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            ImprintConfig config;
            try {
                config = ConfigLoader.load(data.dir(), System.getenv());
            } catch (ConfigException e) {
                spec.commandLine().getErr().println("imprint node list: " + e.getMessage());
                return ImprintCommand.USAGE;
            }
            if (config.store().url() == null || config.store().url().startsWith("jdbc:sqlite:")) {
                spec.commandLine().getErr().println("imprint node list: " + data.dir() + " is one process on SQLite, not a cluster"
                        + " (a cluster's store.url is jdbc:postgresql://...)");
                return ImprintCommand.USAGE;
            }
            PrintWriter out = spec.commandLine().getOut();
            try (Store store = config.openStore()) {
                List<NodeStore.NodeRow> rows = store.nodes().list();
                Instant now = store.nodes().now(); // leases are the database clock's
                if (json) {
                    ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
                    ArrayNode a = m.createArrayNode();
                    for (NodeStore.NodeRow r : rows) {
                        ObjectNode n = a.addObject();
                        n.put("name", r.name());
                        r.roles().forEach(n.putArray("roles")::add);
                        n.put("address", r.address());
                        n.put("pid", r.pid());
                        n.put("startedAt", r.startedAt().toString());
                        n.put("leaseUntil", r.leaseUntil().toString());
                        n.put("sessions", store.sessions().count(r.name()));
                        n.put("state", state(r, now));
                    }
                    out.println(m.writeValueAsString(a));
                } else {
                    out.printf("%-16s %-28s %-22s %8s %8s %9s %s%n", "NAME", "ROLES", "ADDRESS", "PID", "AGE", "SESSIONS", "STATE");
                    for (NodeStore.NodeRow r : rows) {
                        out.printf("%-16s %-28s %-22s %8d %8s %9d %s%n", r.name(), String.join(",", r.roles()), r.address(), r.pid(),
                                age(Duration.between(r.startedAt(), now)), store.sessions().count(r.name()), state(r, now));
                    }
                    if (rows.isEmpty()) {
                        out.println("(no nodes: none has started on this store)");
                    }
                }
            }
            out.flush();
            return ImprintCommand.OK;
        }

        private static String state(NodeStore.NodeRow r, Instant now) {
            return r.leaseUntil().isAfter(now) ? "live" : "dead (lease ran out " + Duration.between(r.leaseUntil(), now).toSeconds() + " s ago)";
        }

        private static String age(Duration d) {
            long s = Math.max(0, d.toSeconds());
            return s < 120 ? s + "s" : s < 7200 ? s / 60 + "m" : s / 3600 + "h";
        }
    }
}
