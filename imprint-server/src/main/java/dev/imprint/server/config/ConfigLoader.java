package dev.imprint.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads {@code <data>/imprint.yaml} (or {@code imprint.json}; JSON is YAML too), applies the
 * environment overrides of {@link ConfigKey} and validates everything at once.
 */
public final class ConfigLoader {
    /** File names tried in the data folder, in order; more than one present is an error. */
    public static final List<String> FILE_NAMES = List.of("imprint.yaml", "imprint.yml", "imprint.json");
    private static final Pattern DNS_NAME = Pattern.compile("(?i)^(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$");

    private ConfigLoader() {}

    /**
     * Loads and validates the configuration of a data folder.
     *
     * @param env the environment (pass {@code System.getenv()})
     * @throws ConfigException listing every problem: unreadable file, unknown keys, bad values
     */
    public static ImprintConfig load(Path dataDir, Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        Map<String, String> file = readFile(dataDir, problems);
        Map<ConfigKey, String> raw = new EnumMap<>(ConfigKey.class);
        for (ConfigKey k : ConfigKey.values()) {
            String v = env.get(k.env());
            if (v == null) {
                v = file.get(k.path());
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
                values.intIn(ConfigKey.HTTPS_WORKER_THREADS, 1, 1024));
        String p11 = raw.get(ConfigKey.CA_PKCS11_CONFIG);
        Path pkcs11Config = p11.isEmpty() ? null : dataDir.resolve(p11);
        if (pkcs11Config != null && !Files.isReadable(pkcs11Config)) {
            problems.add(ConfigKey.CA_PKCS11_CONFIG.path() + ": cannot read " + pkcs11Config);
        }
        String pin = raw.get(ConfigKey.CA_PKCS11_PIN);
        ImprintConfig.Ca ca = new ImprintConfig.Ca(
                Duration.ofDays(values.intIn(ConfigKey.CA_OPERATIONAL_VALIDITY_DAYS, 1, 3650)),
                Duration.ofDays(values.intIn(ConfigKey.CA_MANUFACTURING_VALIDITY_DAYS, 1, 36500)),
                Duration.ofSeconds(values.intIn(ConfigKey.CA_CRL_NEXT_UPDATE_SECONDS, 60, 30 * 86400)),
                pkcs11Config,
                pin.isEmpty() ? null : pin.toCharArray());
        if (pkcs11Config != null && pin.isEmpty()) {
            problems.add(ConfigKey.CA_PKCS11_PIN.path() + ": required when " + ConfigKey.CA_PKCS11_CONFIG.path()
                    + " is set (env " + ConfigKey.CA_PKCS11_PIN.env() + ")");
        }
        String storeUrl = raw.get(ConfigKey.STORE_URL);
        if (!storeUrl.isEmpty() && !storeUrl.startsWith("jdbc:sqlite:") && !storeUrl.startsWith("jdbc:postgresql:")) {
            problems.add(ConfigKey.STORE_URL.path() + " (env " + ConfigKey.STORE_URL.env() + "): '" + storeUrl
                    + "' is neither jdbc:sqlite: nor jdbc:postgresql:");
        }
        ImprintConfig.StoreConfig store = new ImprintConfig.StoreConfig(storeUrl.isEmpty() ? null : storeUrl,
                raw.get(ConfigKey.STORE_USER), raw.get(ConfigKey.STORE_PASSWORD));
        if (pki.equals(https.listener())) {
            problems.add("pki and https listen on the same address and port " + pki.hostPort());
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new ImprintConfig(dataDir.toAbsolutePath().normalize(), pki, pkiUrl, https, ca, store);
    }

    private static Map<String, String> readFile(Path dataDir, List<String> problems) {
        Map<String, String> flat = new LinkedHashMap<>();
        List<Path> present = FILE_NAMES.stream().map(dataDir::resolve).filter(Files::exists).toList();
        if (present.isEmpty()) {
            return flat;
        }
        if (present.size() > 1) {
            problems.add("more than one config file: " + present + "; keep one");
        }
        Path file = present.get(0);
        try {
            JsonNode root = new YAMLMapper().readTree(Files.readString(file));
            if (root == null || root.isNull() || root.isMissingNode()) {
                return flat;
            }
            if (!root.isObject()) {
                problems.add(file.getFileName() + ": the top level must be a mapping");
                return flat;
            }
            flatten("", root, flat);
        } catch (IOException e) {
            problems.add(file.getFileName() + ": " + e.getMessage().lines().findFirst().orElse("unreadable"));
            return flat;
        }
        for (String key : flat.keySet()) {
            if (ConfigKey.byPath(key).isEmpty()) {
                problems.add(file.getFileName() + ": unknown key '" + key + "'");
            }
        }
        return flat;
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

    /** Typed accessors that record a problem instead of throwing. */
    private record Values(Map<ConfigKey, String> raw, List<String> problems) {
        private String where(ConfigKey k) {
            return k.path() + " (env " + k.env() + ")";
        }

        int intIn(ConfigKey k, int min, int max) {
            String v = raw.get(k);
            try {
                int n = Integer.parseInt(v);
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            problems.add(where(k) + ": '" + v + "' is not a whole number in " + min + ".." + max);
            return Integer.parseInt(k.defaultValue());
        }

        int port(ConfigKey k) {
            return intIn(k, 1, 65535);
        }

        String address(ConfigKey k) {
            String v = raw.get(k);
            if (v.isEmpty() || !(v.matches("[0-9.]+") || v.contains(":") || DNS_NAME.matcher(v).matches())) {
                problems.add(where(k) + ": '" + v + "' is not an IP address or host name");
            }
            return v;
        }

        String url(ConfigKey k) {
            String v = raw.get(k);
            try {
                URI u = new URI(v);
                if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) {
                    return v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
                }
            } catch (java.net.URISyntaxException ignored) {
                // reported below
            }
            problems.add(where(k) + ": '" + v + "' is not an http(s) URL");
            return v;
        }

        ImprintConfig.TlsEngine engine(ConfigKey k) {
            String v = raw.get(k);
            try {
                return ImprintConfig.TlsEngine.valueOf(v.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add(where(k) + ": '" + v + "' is not one of auto, openssl, jdk");
                return ImprintConfig.TlsEngine.AUTO;
            }
        }

        List<String> dnsNames(ConfigKey k) {
            String v = raw.get(k);
            List<String> names = Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
            for (String n : names) {
                if (!DNS_NAME.matcher(n).matches() || n.length() > 253) {
                    problems.add(where(k) + ": '" + n + "' is not a DNS name");
                }
            }
            return names;
        }
    }
}
