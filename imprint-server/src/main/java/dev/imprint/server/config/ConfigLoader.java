package dev.imprint.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.imprint.mqtt.proxy.Balancers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code <data>/imprint.yaml} (or {@code imprint.json}; JSON is YAML too), applies the
 * environment overrides of {@link ConfigKey} and validates everything at once.
 */
public final class ConfigLoader {
    /** File names tried in the data folder, in order; more than one present is an error. */
    public static final List<String> FILE_NAMES = List.of("imprint.yaml", "imprint.yml", "imprint.json");
    private static final String ID_SCOPE = "[A-Za-z0-9._-]{1,64}";

    private ConfigLoader() {}

    /** The file's scalar settings by dotted path, and its {@code hubs} list (null when absent). */
    private record FileValues(Map<String, String> flat, JsonNode hubs) {}

    /**
     * Loads and validates the configuration of a data folder.
     *
     * @param env the environment (pass {@code System.getenv()})
     * @throws ConfigException listing every problem, each naming its key (and environment
     *     variable): unreadable file, unknown keys, bad values, two listeners on one address and port
     */
    public static ImprintConfig load(Path dataDir, Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        FileValues file = readFile(dataDir, problems);
        Map<ConfigKey, String> raw = new EnumMap<>(ConfigKey.class);
        for (ConfigKey k : ConfigKey.values()) {
            String v = env.get(k.env());
            if (v == null) {
                v = file.flat().get(k.path());
            }
            raw.put(k, v == null ? k.defaultValue() : v.trim());
        }
        Values values = new Values(raw, problems);
        ImprintConfig.Listener pki = new ImprintConfig.Listener(
                values.address(ConfigKey.PKI_ADDRESS), values.port(ConfigKey.PKI_PORT));
        String pkiUrl = raw.get(ConfigKey.PKI_URL).isEmpty() ? "http://" + pki.hostPort() : values.url(ConfigKey.PKI_URL);
        ImprintConfig.Https https = new ImprintConfig.Https(
                new ImprintConfig.Listener(values.address(ConfigKey.HTTPS_ADDRESS), values.port(ConfigKey.HTTPS_PORT)),
                values.engine(ConfigKey.HTTPS_ENGINE),
                values.dnsNames(ConfigKey.HTTPS_DNS_NAMES),
                values.intIn(ConfigKey.HTTPS_WORKER_THREADS, 1, 1024),
                (int) values.duration(ConfigKey.HTTPS_REQUEST_TIMEOUT, ChronoUnit.SECONDS, Duration.ofSeconds(1), Duration.ofHours(1)).getSeconds(),
                values.intIn(ConfigKey.HTTPS_CONNECTIONS_PER_SOURCE, 0, 10_000_000));
        String p11 = raw.get(ConfigKey.CA_PKCS11_CONFIG);
        Path pkcs11Config = p11.isEmpty() ? null : dataDir.resolve(p11);
        if (pkcs11Config != null && !Files.isReadable(pkcs11Config)) {
            problems.add(ConfigKey.CA_PKCS11_CONFIG.path() + ": cannot read " + pkcs11Config);
        }
        String pin = raw.get(ConfigKey.CA_PKCS11_PIN);
        ImprintConfig.Ca ca = new ImprintConfig.Ca(
                // down to seconds so that a running server rotates devices every 30 s (demos, soak runs); a plain number stays days
                values.duration(ConfigKey.CA_OPERATIONAL_VALIDITY_DAYS, ChronoUnit.DAYS, Duration.ofSeconds(10), Duration.ofDays(3650)),
                values.duration(ConfigKey.CA_MANUFACTURING_VALIDITY_DAYS, ChronoUnit.DAYS, Duration.ofSeconds(10), Duration.ofDays(36500)),
                values.duration(ConfigKey.CA_CRL_NEXT_UPDATE_SECONDS, ChronoUnit.SECONDS, Duration.ofSeconds(10), Duration.ofDays(30)),
                pkcs11Config,
                pin.isEmpty() ? null : pin.toCharArray(),
                values.duration(ConfigKey.CA_EXPIRED_CERTIFICATE_RETENTION, ChronoUnit.DAYS, Duration.ofSeconds(10), Duration.ofDays(36500)));
        if (pkcs11Config != null && pin.isEmpty()) {
            problems.add(ConfigKey.CA_PKCS11_PIN.path() + ": required when " + ConfigKey.CA_PKCS11_CONFIG.path()
                    + " is set (env " + ConfigKey.CA_PKCS11_PIN.env() + ")");
        }
        String storeUrl = raw.get(ConfigKey.STORE_URL);
        if (!storeUrl.isEmpty() && !storeUrl.startsWith("jdbc:sqlite:") && !storeUrl.startsWith("jdbc:postgresql:")) {
            problems.add(Values.where(ConfigKey.STORE_URL) + ": '" + storeUrl + "' is neither jdbc:sqlite: nor jdbc:postgresql:");
        }
        ImprintConfig.StoreConfig store = new ImprintConfig.StoreConfig(storeUrl.isEmpty() ? null : storeUrl,
                raw.get(ConfigKey.STORE_USER), raw.get(ConfigKey.STORE_PASSWORD));
        ImprintConfig.Dps dps = dps(values);
        List<ImprintConfig.Hub> hubs = HubList.read(file.hubs(), env, values, dataDir.toAbsolutePath().normalize());
        ImprintConfig.Cluster cluster = cluster(values, store, hubs);
        Balancers balancers = balancers(values);
        dev.imprint.shadow.ShadowLimits shadow = new dev.imprint.shadow.ShadowLimits(values.intIn(ConfigKey.SHADOW_MAX_STATE_BYTES, 64, 1 << 24),
                values.intIn(ConfigKey.SHADOW_MAX_DEPTH, 1, 64), values.intIn(ConfigKey.SHADOW_MAX_REQUEST_BYTES, 64, 1 << 26),
                values.intIn(ConfigKey.SHADOW_MAX_NAMED, 0, 100_000));
        ImprintConfig.Kafka kafka = kafka(values);
        if (cluster.bus() == ImprintConfig.Bus.KAFKA && kafka == null) {
            problems.add(Values.where(ConfigKey.CLUSTER_BUS) + ": the Kafka node bus needs kafka.bootstrap (env "
                    + ConfigKey.KAFKA_BOOTSTRAP.env() + ")");
        }
        ImprintConfig.Hub aws = !values.bool(ConfigKey.AWS_ENABLED) ? null
                : HubList.endpoint(HubList.AWS, values.address(ConfigKey.AWS_ADDRESS), values.intIn(ConfigKey.AWS_PORT, 1, 65535), env, values, dataDir);
        if (aws != null && hubs.stream().anyMatch(h -> h.name().equals(HubList.AWS))) {
            problems.add("hubs: the name '" + HubList.AWS + "' is the AWS endpoint's (aws.enabled)");
        }
        checkListenersDiffer(pki, https, dps, aws == null ? hubs : java.util.stream.Stream.concat(hubs.stream(), java.util.stream.Stream.of(aws)).toList(),
                problems);
        String awsTemplate = values.raw(ConfigKey.AWS_TEMPLATE).trim();
        if (!awsTemplate.matches("[0-9A-Za-z_-]{1,36}")) {
            // a topic level of $aws/provisioning-templates/<name>/provision/json, with AWS's own rule for names
            problems.add(Values.where(ConfigKey.AWS_TEMPLATE) + ": '" + awsTemplate + "' is not a template name (1 to 36 of A-Z a-z 0-9 _ -)");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.stream().distinct().toList()); // a hub.* value is checked once per hub
        }
        return new ImprintConfig(dataDir.toAbsolutePath().normalize(), pki, pkiUrl, https, ca, store, dps, hubs, cluster, balancers, shadow,
                kafka, aws, values.bool(ConfigKey.AWS_SERVER_KEYS), awsTemplate);
    }

    private static final String NODE_NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}";

    private static ImprintConfig.Cluster cluster(Values values, ImprintConfig.StoreConfig store, List<ImprintConfig.Hub> hubs) {
        String node = values.raw(ConfigKey.CLUSTER_NODE);
        Roles roles;
        try {
            roles = Roles.parse(values.raw(ConfigKey.CLUSTER_ROLES));
        } catch (IllegalArgumentException e) {
            values.problem(Values.where(ConfigKey.CLUSTER_ROLES) + ": " + e.getMessage());
            roles = Roles.ALL;
        }
        checkRoles(values, node, roles, store, hubs);
        String health = values.raw(ConfigKey.CLUSTER_HEALTH);
        ImprintConfig.Listener healthListener = null;
        if (!health.isEmpty()) {
            int colon = health.lastIndexOf(':');
            int port = -1;
            try {
                port = colon > 0 ? Integer.parseInt(health.substring(colon + 1)) : -1;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            if (port < 1 || port > 65535) {
                values.problem(Values.where(ConfigKey.CLUSTER_HEALTH) + ": '" + health + "' is not address:port");
            } else {
                healthListener = new ImprintConfig.Listener(values.address(Values.where(ConfigKey.CLUSTER_HEALTH), health.substring(0, colon)), port);
            }
        }
        String address = values.raw(ConfigKey.CLUSTER_ADDRESS);
        String bind = values.raw(ConfigKey.CLUSTER_BIND);
        if (!bind.isEmpty()) {
            values.address(ConfigKey.CLUSTER_BIND);
        }
        ImprintConfig.Bus bus = switch (values.raw(ConfigKey.CLUSTER_BUS)) {
            case "postgresql" -> ImprintConfig.Bus.POSTGRESQL;
            case "kafka" -> ImprintConfig.Bus.KAFKA;
            default -> {
                values.problem(Values.where(ConfigKey.CLUSTER_BUS) + ": '" + values.raw(ConfigKey.CLUSTER_BUS) + "' is neither postgresql nor kafka");
                yield ImprintConfig.Bus.POSTGRESQL;
            }
        };
        return new ImprintConfig.Cluster(node.isEmpty() ? null : node, roles, address.isEmpty() ? null : address,
                bind.isEmpty() ? null : bind, healthListener, bus);
    }

    private static void checkRoles(Values values, String node, Roles roles, ImprintConfig.StoreConfig store, List<ImprintConfig.Hub> hubs) {
        if (!node.isEmpty() && !node.matches(NODE_NAME)) {
            values.problem(Values.where(ConfigKey.CLUSTER_NODE) + ": '" + node + "' is not 1-63 of A-Z a-z 0-9 . _ - (starting with a letter or digit)");
        }
        // SQLite is one process's file: several nodes on it would each think they are alone
        if (!node.isEmpty() && (store.url() == null || store.url().startsWith("jdbc:sqlite:"))) {
            values.problem(Values.where(ConfigKey.CLUSTER_NODE) + ": several nodes need PostgreSQL: set store.url to jdbc:postgresql://..."
                    + " (env " + ConfigKey.STORE_URL.env() + "); the embedded SQLite store serves one process ('imprint up' without a node name)");
        }
        if (!roles.all()) {
            if (node.isEmpty()) {
                values.problem(Values.where(ConfigKey.CLUSTER_ROLES) + ": roles other than 'all' need a node name (cluster.node, env "
                        + ConfigKey.CLUSTER_NODE.env() + ", or --node)");
            }
            // the admin API revokes and issues (stations, operators) through the CA in its own process
            if (roles.admin() && !roles.ca()) {
                values.problem(Values.where(ConfigKey.CLUSTER_ROLES) + ": admin needs ca on the same node");
            }
            List<String> names = hubs.stream().map(ImprintConfig.Hub::name).toList();
            for (String h : roles.hubs()) {
                if (!names.contains(h)) {
                    values.problem(Values.where(ConfigKey.CLUSTER_ROLES) + ": hub:" + h + " is not in the hubs list (configured: "
                            + String.join(", ", names) + ")");
                }
            }
            if (!roles.ca() && !roles.admin() && !roles.dps() && roles.hubs().isEmpty()) {
                values.problem(Values.where(ConfigKey.CLUSTER_ROLES) + ": no role given");
            }
        }
    }

    /** Null when {@code kafka.bootstrap} is empty: nothing of Kafka is opened. */
    private static ImprintConfig.Kafka kafka(Values values) {
        String bootstrap = values.raw(ConfigKey.KAFKA_BOOTSTRAP);
        if (bootstrap.isEmpty()) {
            return null;
        }
        if (!bootstrap.matches("[^,\\s]+:[0-9]{1,5}(,[^,\\s]+:[0-9]{1,5})*")) {
            values.problem(Values.where(ConfigKey.KAFKA_BOOTSTRAP) + ": '" + bootstrap + "' is not host:port[,host:port...]");
        }
        String topic = "[A-Za-z0-9._-]{1,249}";
        for (ConfigKey k : List.of(ConfigKey.KAFKA_TELEMETRY_TOPIC, ConfigKey.KAFKA_EVENTS_TOPIC, ConfigKey.KAFKA_NODE_TOPIC_PREFIX,
                ConfigKey.KAFKA_DOORBELL_TOPIC)) {
            if (!values.raw(k).matches(topic)) {
                values.problem(Values.where(k) + ": '" + values.raw(k) + "' is not a Kafka topic name (1-249 of A-Z a-z 0-9 . _ -)");
            }
        }
        return new ImprintConfig.Kafka(bootstrap, values.raw(ConfigKey.KAFKA_TELEMETRY_TOPIC), values.raw(ConfigKey.KAFKA_EVENTS_TOPIC),
                java.time.Duration.ofSeconds(values.intIn(ConfigKey.KAFKA_ACK_TIMEOUT_SECONDS, 2, 3600)),
                values.intIn(ConfigKey.KAFKA_SQL_WINDOW_ROWS, 0, 100_000_000), values.raw(ConfigKey.KAFKA_NODE_TOPIC_PREFIX),
                values.raw(ConfigKey.KAFKA_DOORBELL_TOPIC));
    }

    private static Balancers balancers(Values values) {
        try {
            return Balancers.parse(values.raw(ConfigKey.CLUSTER_BALANCERS));
        } catch (IllegalArgumentException e) {
            values.problem(Values.where(ConfigKey.CLUSTER_BALANCERS) + ": " + e.getMessage());
            return Balancers.none();
        }
    }

    private static ImprintConfig.Dps dps(Values values) {
        String scope = values.raw(ConfigKey.DPS_ID_SCOPE);
        if (!scope.isEmpty() && !scope.matches(ID_SCOPE)) {
            values.problem(Values.where(ConfigKey.DPS_ID_SCOPE) + ": '" + scope + "' is not 1-64 of A-Z a-z 0-9 . _ -");
        }
        int mqttPort = values.intIn(ConfigKey.DPS_MQTT_PORT, -1, 65535);
        if (mqttPort == 0) {
            values.problem(Values.where(ConfigKey.DPS_MQTT_PORT) + ": '0' is not a port (1..65535, or -1 for MQTT off)");
        }
        return new ImprintConfig.Dps(values.bool(ConfigKey.DPS_ENABLED),
                new ImprintConfig.Listener(values.address(ConfigKey.DPS_HTTPS_ADDRESS), values.intIn(ConfigKey.DPS_HTTPS_PORT, 0, 65535)),
                new ImprintConfig.Listener(values.address(ConfigKey.DPS_MQTT_ADDRESS), mqttPort),
                scope.isEmpty() ? null : scope,
                values.intIn(ConfigKey.DPS_RATE, 0, 1_000_000),
                values.intIn(ConfigKey.DPS_DEVICE_RATE, 0, 1_000_000),
                values.intIn(ConfigKey.DPS_CONNECTIONS_PER_SOURCE, 0, 10_000_000));
    }

    /** Two roles on one address and port would fail at bind time with a less clear message. */
    private static void checkListenersDiffer(ImprintConfig.Listener pki, ImprintConfig.Https https, ImprintConfig.Dps dps,
            List<ImprintConfig.Hub> hubs, List<String> problems) {
        Map<String, ImprintConfig.Listener> listeners = new LinkedHashMap<>();
        listeners.put("pki", pki);
        listeners.put("https", https.listener());
        if (dps.enabled() && dps.https().port() > 0) {
            listeners.put("dps.https", dps.https());
        }
        if (dps.enabled() && dps.mqtt().port() > 0) {
            listeners.put("dps.mqtt", dps.mqtt());
        }
        for (int i = 0; i < hubs.size(); i++) {
            listeners.putIfAbsent("hubs[" + i + "] (" + hubs.get(i).name() + ")", hubs.get(i).listener());
        }
        List<Map.Entry<String, ImprintConfig.Listener>> all = List.copyOf(listeners.entrySet());
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                if (all.get(i).getValue().equals(all.get(j).getValue())) {
                    problems.add(all.get(i).getKey() + " and " + all.get(j).getKey() + " listen on the same address and port "
                            + all.get(i).getValue().hostPort());
                }
            }
        }
    }

    private static FileValues readFile(Path dataDir, List<String> problems) {
        Map<String, String> flat = new LinkedHashMap<>();
        List<Path> present = FILE_NAMES.stream().map(dataDir::resolve).filter(Files::exists).toList();
        if (present.isEmpty()) {
            return new FileValues(flat, null);
        }
        if (present.size() > 1) {
            problems.add("more than one config file: " + present + "; keep one");
        }
        Path file = present.get(0);
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            problems.add(file.getFileName() + ": " + e.getMessage().lines().findFirst().orElse("unreadable"));
            return new FileValues(flat, null);
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return new FileValues(flat, null);
        }
        if (!root.isObject()) {
            problems.add(file.getFileName() + ": the top level must be a mapping");
            return new FileValues(flat, null);
        }
        JsonNode hubs = root.get(ConfigKey.HUBS.path());
        ((com.fasterxml.jackson.databind.node.ObjectNode) root).remove(ConfigKey.HUBS.path());
        flatten("", root, flat);
        for (String key : flat.keySet()) {
            if (ConfigKey.byPath(key).isEmpty()) {
                problems.add(file.getFileName() + ": unknown key '" + key + "'");
            }
        }
        return new FileValues(flat, hubs);
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                var e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (node.isArray()) {
            List<String> items = new ArrayList<>();
            node.forEach(n -> items.add(n.asText()));
            out.put(prefix, String.join(",", items));
        } else {
            out.put(prefix, node.isNull() ? "" : node.asText());
        }
    }
}
