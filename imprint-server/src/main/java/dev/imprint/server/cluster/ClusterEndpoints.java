package dev.imprint.server.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.imprint.server.PrivateFiles;
import dev.imprint.server.config.ImprintConfig;
import dev.imprint.server.http.AdminRoutes;
import dev.imprint.server.http.EstRoutes;
import dev.imprint.server.up.Endpoints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code <data>/endpoints.json} of a local cluster: the shape {@code imprint up} writes, with the
 * public addresses, so that every other command works against the cluster as against one process,
 * plus {@code nodes[]}.
 *
 * @param endpoints what {@code imprint up} would write for this configuration
 * @param nodes every node: name, roles, pid (null when it is not running), address
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterEndpoints(@JsonUnwrapped Endpoints endpoints, List<NodeEntry> nodes) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One node as endpoints.json lists it. */
    public record NodeEntry(String name, String roles, Long pid, String address) {}

    /** From the public configuration and the recorded state; the DPS ID scope from {@code <data>/dps/id-scope} once a node made it. */
    static ClusterEndpoints of(ImprintConfig config, ClusterState state) throws IOException {
        String https = config.httpsBaseUrl();
        Endpoints e = new Endpoints(config.pkiBaseUrl(), https + EstRoutes.BASE, https + AdminRoutes.BASE, https + "/",
                config.dataDir().resolve("pki").resolve("root.crt").toString());
        Layout layout = Layout.parse(state.layout());
        if (layout.runsDps()) {
            Map<String, String> dps = new LinkedHashMap<>();
            dps.put("https", "https://" + config.dps().https().hostPort());
            if (config.dps().mqtt().port() >= 0) {
                dps.put("mqtt", "mqtts://" + config.dps().mqtt().hostPort());
            }
            Path scope = config.dataDir().resolve("dps").resolve("id-scope");
            String id = config.dps().idScope() != null ? config.dps().idScope()
                    : Files.exists(scope) ? Files.readString(scope, StandardCharsets.US_ASCII).trim() : null;
            if (id != null) {
                dps.put("idScope", id);
            }
            e = e.withDps(dps);
        }
        List<String> hubs = layout.hubs();
        e = e.withHubs(config.hubs().stream().filter(h -> hubs.contains(h.name()))
                .map(h -> new Endpoints.Hub(h.name(), h.hostname(), h.mqtt())).toList())
                .withKafka(config.kafka());
        // the AWS endpoint is the listener 'aws', run by the nodes with the role hub:aws
        if (config.aws() != null && hubs.contains(config.aws().name())) {
            e = e.withAws(Map.of("mqtt", config.aws().mqtt()));
        }
        List<NodeEntry> nodes = state.nodes().stream().map(n -> new NodeEntry(n.name(), n.roles(),
                n.process() != null && n.process().alive() ? n.process().pid() : null, n.address())).toList();
        return new ClusterEndpoints(e, nodes);
    }

    void write(Path dataDir) throws IOException {
        PrivateFiles.writePublic(dataDir.resolve(Endpoints.FILE), JSON.writeValueAsBytes(this));
    }
}
