package dev.imprint.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.imprint.server.PrivateFiles;
import dev.imprint.server.config.ConfigKey;
import dev.imprint.server.config.ConfigLoader;
import dev.imprint.server.config.ImprintConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cluster's {@code <data>/imprint.yaml}, shared by every node: the public addresses (those of
 * the HAProxy frontends, or of the lone CA node), the PKI repository's public URL, the store and
 * the hubs of the layout. Whatever else the file holds is kept, and so are addresses already set:
 * the operator may move a frontend; the store and the hub list belong to the launcher.
 * Mode 0600: the file holds the store password.
 */
final class ClusterConfigFile {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Public hub addresses are taken from here on, skipping the DPS MQTT address and the balancer's. */
    private static final int FIRST_HUB_HOST = 3;

    private ClusterConfigFile() {}

    /** The file in use: an existing imprint.yaml/.yml/.json, else imprint.yaml. */
    static Path file(Path data) {
        return ConfigLoader.FILE_NAMES.stream().map(data::resolve).filter(Files::exists).findFirst()
                .orElse(data.resolve(ConfigLoader.FILE_NAMES.get(0)));
    }

    static void write(Path data, Layout layout, String storeUrl, String storeUser, String storePassword) throws IOException {
        write(data, layout, storeUrl, storeUser, storePassword, null, null);
    }

    /**
     * @param kafkaBootstrap the broker {@code cluster up --kafka} started; null leaves {@code kafka.*} as the file has it
     * @param bus the nodes' {@code cluster.bus}; null leaves it as the file has it
     */
    static void write(Path data, Layout layout, String storeUrl, String storeUser, String storePassword, String kafkaBootstrap,
            ImprintConfig.Bus bus) throws IOException {
        Path file = file(data);
        YAMLMapper yaml = new YAMLMapper();
        JsonNode read = Files.exists(file) ? yaml.readTree(Files.readString(file)) : null;
        ObjectNode root = read instanceof ObjectNode o ? o : F.objectNode();
        String pkiAddress = setIfAbsent(root, ConfigKey.PKI_ADDRESS);
        String pkiPort = setIfAbsent(root, ConfigKey.PKI_PORT);
        // explicit: certificates carry this URL whichever node issues them
        put(root, ConfigKey.PKI_URL.path(), text(root, ConfigKey.PKI_URL.path(), "http://" + pkiAddress + ":" + pkiPort), false);
        setIfAbsent(root, ConfigKey.HTTPS_ADDRESS);
        setIfAbsent(root, ConfigKey.HTTPS_PORT);
        put(root, ConfigKey.DPS_ENABLED.path(), Boolean.toString(layout.runsDps()), true);
        if (layout.runsDps()) {
            for (ConfigKey k : List.of(ConfigKey.DPS_HTTPS_ADDRESS, ConfigKey.DPS_HTTPS_PORT, ConfigKey.DPS_MQTT_ADDRESS, ConfigKey.DPS_MQTT_PORT)) {
                setIfAbsent(root, k);
            }
        }
        put(root, ConfigKey.STORE_URL.path(), storeUrl, true);
        put(root, ConfigKey.STORE_USER.path(), storeUser, true);
        put(root, ConfigKey.STORE_PASSWORD.path(), storePassword, true);
        if (kafkaBootstrap != null) {
            put(root, ConfigKey.KAFKA_BOOTSTRAP.path(), kafkaBootstrap, true);
        }
        if (bus != null) {
            put(root, ConfigKey.CLUSTER_BUS.path(), bus.name().toLowerCase(java.util.Locale.ROOT), true);
        }
        root.set(ConfigKey.HUBS.path(), hubs(root.get(ConfigKey.HUBS.path()), layout.hubs(), text(root, ConfigKey.DPS_MQTT_ADDRESS.path(),
                ConfigKey.DPS_MQTT_ADDRESS.defaultValue())));
        PrivateFiles.write(file, ("# the local cluster's configuration ('imprint cluster up' sets store.*, dps.enabled, hubs, with --kafka kafka.bootstrap, and with --kafka or --bus cluster.bus)\n"
                + yaml.writeValueAsString(root)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The layout's hubs: an entry already in the file is kept; a new one gets the next free 127.0.0.N on 8883. */
    private static ArrayNode hubs(JsonNode existing, List<String> names, String dpsMqttAddress) {
        Map<String, ObjectNode> byName = new LinkedHashMap<>();
        Set<String> taken = new HashSet<>(Set.of(dpsMqttAddress, ClusterPlan.BALANCER));
        if (existing != null && existing.isArray()) {
            for (JsonNode e : existing) {
                if (e instanceof ObjectNode o && names.contains(o.path("name").asText())) {
                    byName.put(o.path("name").asText(), o);
                    taken.add(o.path("address").asText());
                }
            }
        }
        ArrayNode out = F.arrayNode();
        int host = FIRST_HUB_HOST;
        for (String name : names) {
            ObjectNode entry = byName.get(name);
            if (entry == null) {
                while (taken.contains("127.0.0." + host)) {
                    host++;
                }
                taken.add("127.0.0." + host);
                entry = F.objectNode().put("name", name).put("address", "127.0.0." + host).put("port", 8883);
            }
            out.add(entry);
        }
        return out;
    }

    private static String setIfAbsent(ObjectNode root, ConfigKey k) {
        String v = text(root, k.path(), k.defaultValue());
        put(root, k.path(), v, false);
        return v;
    }

    private static String text(ObjectNode root, String path, String dflt) {
        JsonNode n = root;
        for (String part : path.split("\\.")) {
            n = n.path(part);
        }
        return n.isValueNode() && !n.asText().isEmpty() ? n.asText() : dflt;
    }

    private static void put(ObjectNode root, String path, String value, boolean overwrite) {
        String[] parts = path.split("\\.");
        ObjectNode n = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = n.get(parts[i]);
            if (!(child instanceof ObjectNode)) {
                child = n.putObject(parts[i]);
            }
            n = (ObjectNode) child;
        }
        String last = parts[parts.length - 1];
        if (overwrite || !n.has(last) || n.get(last).asText().isEmpty()) {
            if (value.matches("\\d{1,9}")) {
                n.put(last, Integer.parseInt(value));
            } else {
                n.put(last, value);
            }
        }
    }
}
