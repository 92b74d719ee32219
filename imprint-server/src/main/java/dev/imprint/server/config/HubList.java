package dev.imprint.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imprint.mqtt.ConnectionLimits;
import dev.imprint.pki.Durations;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code hubs} list: from {@code IMPRINT_HUBS} when set ({@code name=address:port,...} or
 * {@code none}), else from the file's list of entries, else the two default hubs. Each hub's
 * {@code hub.*} settings come from its environment variable, else the entry's own field, else
 * the file's {@code hub:} section, else the default.
 */
final class HubList {
    static final String DEFAULT = "hub-1=127.0.0.3:8883,hub-2=127.0.0.4:8883";
    private static final String NAME = "[A-Za-z0-9._-]{1,64}";
    private static final Set<String> ENTRY_FIELDS = Set.of("name", "address", "port", "hostname");

    private HubList() {}

    /** One entry before validation: its fields as text, and how messages name them ({@code prefix.field suffix}). */
    private record Entry(Map<String, String> fields, String prefix, String suffix) {
        String label(String field) {
            return prefix + "." + field + suffix;
        }
    }

    /** @param fileList the file's {@code hubs} node, null when the file has none */
    static List<ImprintConfig.Hub> read(JsonNode fileList, Map<String, String> env, Values values, Path dataDir) {
        String fromEnv = env.get(ConfigKey.HUBS.env());
        List<Entry> entries = fromEnv != null ? parse(fromEnv, " (env " + ConfigKey.HUBS.env() + ")", values)
                : fileList != null ? fromFile(fileList, values) : parse(DEFAULT, "", values);
        List<ImprintConfig.Hub> hubs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Entry e : entries) {
            ImprintConfig.Hub h = hub(e, env, values, dataDir);
            if (!names.add(h.name())) {
                values.problem(e.label("name") + ": hub name '" + h.name() + "' appears twice");
            }
            hubs.add(h);
        }
        return hubs;
    }

    private static List<Entry> parse(String v, String suffix, Values values) {
        List<Entry> out = new ArrayList<>();
        if (v.isBlank() || v.trim().equalsIgnoreCase("none")) {
            return out;
        }
        for (String item : v.split(",")) {
            String[] nameAddr = item.trim().split("=", 2);
            int colon = nameAddr.length == 2 ? nameAddr[1].lastIndexOf(':') : -1;
            if (colon <= 0) {
                values.problem("hubs" + suffix + ": '" + item.trim() + "' is not name=address:port");
                continue;
            }
            Map<String, String> f = new LinkedHashMap<>();
            f.put("name", nameAddr[0].trim());
            f.put("address", nameAddr[1].substring(0, colon).trim());
            f.put("port", nameAddr[1].substring(colon + 1).trim());
            out.add(new Entry(f, "hubs[" + out.size() + "]", suffix));
        }
        return out;
    }

    private static List<Entry> fromFile(JsonNode list, Values values) {
        List<Entry> out = new ArrayList<>();
        if (list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            values.problem("hubs: must be a list of entries {name, address, port, hostname, ...}, or [] for none");
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            if (!item.isObject()) {
                values.problem("hubs[" + i + "]: must be a mapping {name, address, port, ...}");
                continue;
            }
            Map<String, String> f = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = item.fields(); it.hasNext(); ) {
                var field = it.next();
                boolean known = ENTRY_FIELDS.contains(field.getKey()) || isHubSetting(field.getKey());
                if (!known || field.getValue().isContainerNode()) {
                    values.problem("hubs[" + i + "]: " + (known ? "'" + field.getKey() + "' must be a single value" : "unknown key '" + field.getKey() + "'"));
                    continue;
                }
                f.put(field.getKey(), field.getValue().isNull() ? "" : field.getValue().asText().trim());
            }
            out.add(new Entry(f, "hubs[" + i + "]", ""));
        }
        return out;
    }

    private static boolean isHubSetting(String field) {
        for (ConfigKey k : ConfigKey.values()) {
            if (field.equals(k.hubField())) {
                return true;
            }
        }
        return false;
    }

    /** The AWS endpoint's name, as a listener among the hubs (session directory, telemetry's hub). */
    static final String AWS = "aws";

    /** A listener that is not in the hubs list (the AWS endpoint), with the {@code hub.*} settings. */
    static ImprintConfig.Hub endpoint(String name, String address, int port, Map<String, String> env, Values values, Path dataDir) {
        return hub(new Entry(Map.of("name", name, "address", address, "port", Integer.toString(port)), name, ""), env, values, dataDir);
    }

    private static ImprintConfig.Hub hub(Entry e, Map<String, String> env, Values values, Path dataDir) {
        String name = e.fields().getOrDefault("name", "");
        if (!name.matches(NAME)) {
            values.problem(e.label("name") + ": '" + name + "' is not a hub name (1-64 of A-Z a-z 0-9 . _ -)");
        }
        String address = e.fields().get("address");
        if (address == null) {
            values.problem(e.label("address") + ": required");
            address = "127.0.0.1";
        }
        address = values.address(e.label("address"), address);
        int port = values.intIn(e.label("port"), e.fields().getOrDefault("port", "8883"), 1, 65535, 8883);
        String hostname = values.address(e.label("hostname"), e.fields().getOrDefault("hostname", address));
        Setting file = setting(ConfigKey.HUB_TELEMETRY_FILE, e, env, values);
        Path telemetryFile = null;
        if (!file.value().isEmpty()) {
            try {
                telemetryFile = dataDir.resolve(file.value().replace("{hub}", name)).normalize();
            } catch (InvalidPathException ex) {
                values.problem(file.label() + ": '" + file.value() + "' is not a path");
            }
        }
        Setting hook = setting(ConfigKey.HUB_WEBHOOK, e, env, values);
        URI webhook = null;
        if (!hook.value().isEmpty()) {
            String url = values.url(hook.label(), hook.value());
            try {
                webhook = URI.create(url);
            } catch (IllegalArgumentException reported) {
                // values.url recorded the problem
            }
        }
        ConnectionLimits limits = new ConnectionLimits(
                setting(ConfigKey.HUB_MAX_MESSAGE_BYTES, e, env, values).intIn(values, 1024, 268_435_455),
                setting(ConfigKey.HUB_CONNECT_TIMEOUT_SECONDS, e, env, values).duration(values, Duration.ofSeconds(1), Duration.ofSeconds(300)),
                (int) setting(ConfigKey.HUB_MAX_KEEP_ALIVE_SECONDS, e, env, values).duration(values, Duration.ofSeconds(1), Duration.ofSeconds(65535)).getSeconds(),
                setting(ConfigKey.HUB_INFLIGHT_WINDOW, e, env, values).intIn(values, 1, 65535),
                setting(ConfigKey.HUB_OUTBOUND_QUEUE, e, env, values).intIn(values, 1, 1_000_000),
                setting(ConfigKey.HUB_CONNECTS_PER_MINUTE, e, env, values).intIn(values, 1, 1_000_000),
                setting(ConfigKey.HUB_PUBLISHES_PER_SECOND, e, env, values).intIn(values, 0, 1_000_000),
                setting(ConfigKey.HUB_SLOW_READER_SECONDS, e, env, values).duration(values, Duration.ofSeconds(1), Duration.ofHours(24)),
                setting(ConfigKey.HUB_CONNECTIONS_PER_SOURCE, e, env, values).intIn(values, 0, 10_000_000));
        Duration retention = setting(ConfigKey.HUB_TELEMETRY_RETENTION, e, env, values).duration(values, Duration.ofSeconds(10), Duration.ofDays(36500));
        return new ImprintConfig.Hub(name, new ImprintConfig.Listener(address, port), hostname, telemetryFile, webhook, limits, retention);
    }

    /** One hub's value of a {@code hub.*} key and the name a message gives it. */
    private record Setting(ConfigKey key, String label, String value) {
        int intIn(Values values, int min, int max) {
            return values.intIn(label, value, min, max, Integer.parseInt(key.defaultValue()));
        }

        /** A plain number is seconds here: every duration of a hub is in seconds. */
        Duration duration(Values values, Duration min, Duration max) {
            return values.duration(label, value, ChronoUnit.SECONDS, min, max, Durations.parse(key.defaultValue()));
        }
    }

    private static Setting setting(ConfigKey k, Entry e, Map<String, String> env, Values values) {
        String own = e.fields().get(k.hubField());
        if (env.get(k.env()) != null || own == null) {
            return new Setting(k, Values.where(k), values.raw(k));
        }
        return new Setting(k, e.label(k.hubField()), own);
    }
}
