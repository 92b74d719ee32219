package dev.imprint.server.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.imprint.server.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code imprint cluster up} started, as {@code <data>/cluster.json}: every later
 * {@code cluster} command reads it to find, check and signal those processes and nothing else.
 *
 * @param layout the layout, as {@code --nodes} takes it
 * @param nodeCommand what runs a node ({@code java ... -jar imprint.jar up --data DIR}); a restart runs it again
 * @param nodes the node processes
 * @param haproxy the balancer, null when the layout needs none
 * @param postgres the database
 * @param kafka the Kafka broker of {@code cluster up --kafka}; null without
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterState(String layout, List<String> nodeCommand, List<Node> nodes, OwnProcess haproxy, Postgres postgres, Kafka kafka) {
    public static final String FILE = "cluster.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public ClusterState {
        nodeCommand = List.copyOf(nodeCommand);
        nodes = List.copyOf(nodes);
    }

    /**
     * One node.
     *
     * @param address the address it is reached at
     * @param health its /health listener, {@code address:port}
     * @param env the {@code IMPRINT_CLUSTER_*} variables it was started with (a restart uses them again)
     * @param process the running process; null when it is not running
     * @param log its output file
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Node(String name, String roles, String address, String health, Map<String, String> env, OwnProcess process, String log) {
        public Node withProcess(OwnProcess p) {
            return new Node(name, roles, address, health, env, p, log);
        }
    }

    /**
     * The database.
     *
     * @param dataDir the data directory of a PostgreSQL this launcher runs; null for an existing one ({@code --store})
     * @param binDir where its binaries are (pg_ctl)
     * @param port its port on 127.0.0.1
     * @param url the JDBC URL the nodes use
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Postgres(String dataDir, String binDir, int port, String url) {
        public boolean managed() {
            return dataDir != null;
        }
    }

    /**
     * The single-node Kafka this launcher runs.
     *
     * @param bootstrap its {@code host:port}, the nodes' {@code kafka.bootstrap}
     * @param dataDir its folder (configuration, KRaft log, {@code broker.log})
     * @param process the broker's JVM
     */
    public record Kafka(String bootstrap, String dataDir, OwnProcess process) {}

    public Node node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElse(null);
    }

    /** The same state with {@code node} replacing the node of the same name. */
    public ClusterState with(Node node) {
        List<Node> list = new ArrayList<>(nodes);
        list.replaceAll(n -> n.name().equals(node.name()) ? node : n);
        return new ClusterState(layout, nodeCommand, list, haproxy, postgres, kafka);
    }

    public ClusterState withHaproxy(OwnProcess p) {
        return new ClusterState(layout, nodeCommand, nodes, p, postgres, kafka);
    }

    public void write(Path dataDir) throws IOException {
        PrivateFiles.writePublic(dataDir.resolve(FILE), JSON.writeValueAsBytes(this));
    }

    /** The recorded state; null when no cluster was started in {@code dataDir} (or it was brought down). */
    public static ClusterState read(Path dataDir) throws IOException {
        Path f = dataDir.resolve(FILE);
        return Files.exists(f) ? JSON.readValue(f.toFile(), ClusterState.class) : null;
    }

    public static void delete(Path dataDir) throws IOException {
        Files.deleteIfExists(dataDir.resolve(FILE));
    }
}
