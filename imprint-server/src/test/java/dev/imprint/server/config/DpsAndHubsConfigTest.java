package dev.imprint.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imprint.mqtt.ConnectionLimits;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code dps} section, the {@code hub} section and the {@code hubs} list: file, environment, defaults, refusals. */
class DpsAndHubsConfigTest {
    @TempDir
    Path dir;

    private ImprintConfig load(String yaml, Map<String, String> env) throws Exception {
        Files.writeString(dir.resolve("imprint.yaml"), yaml);
        return ConfigLoader.load(dir, env);
    }

    @Test
    void defaults_are_the_endpoint_table_of_the_brief() {
        ImprintConfig c = ConfigLoader.load(dir, Map.of());
        ImprintConfig.Dps dps = c.dps();
        assertThat(dps.enabled()).isTrue();
        assertThat(dps.https()).isEqualTo(new ImprintConfig.Listener("127.0.0.1", 9443));
        assertThat(dps.mqtt()).isEqualTo(new ImprintConfig.Listener("127.0.0.2", 8883));
        assertThat(dps.idScope()).isNull();
        assertThat(dps.perSecond()).isEqualTo(1000);
        assertThat(dps.perDevicePerMinute()).isEqualTo(10);
        assertThat(c.hubs()).extracting(ImprintConfig.Hub::name, h -> h.listener().hostPort(), ImprintConfig.Hub::hostname)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("hub-1", "127.0.0.3:8883", "127.0.0.3"),
                        org.assertj.core.groups.Tuple.tuple("hub-2", "127.0.0.4:8883", "127.0.0.4"));
        assertThat(c.hubs().get(0).mqtt()).isEqualTo("mqtts://127.0.0.3:8883");
        assertThat(c.hubs()).allSatisfy(h -> {
            assertThat(h.limits()).isEqualTo(ConnectionLimits.defaults());
            assertThat(h.telemetryFile()).isNull();
            assertThat(h.webhook()).isNull();
        });
    }

    /** Every dps key: the file's value applies, its environment variable overrides it. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "dps.enabled,         IMPRINT_DPS,               false,      on",
        "dps.https.address,   IMPRINT_DPS_HTTPS_ADDRESS, 127.0.0.9,  dps.example.com",
        "dps.https.port,      IMPRINT_DPS_HTTPS_PORT,    19443,      0",
        "dps.mqtt.address,    IMPRINT_DPS_MQTT_ADDRESS,  127.0.0.8,  10.0.0.1",
        "dps.mqtt.port,       IMPRINT_DPS_MQTT_PORT,     18883,      -1",
        "dps.idScope,         IMPRINT_DPS_ID_SCOPE,      0neFILE,    0neENV",
        "dps.rate,            IMPRINT_DPS_RATE,          50,         0",
        "dps.deviceRate,      IMPRINT_DPS_DEVICE_RATE,   3,          100",
    })
    void dps_key_is_read_from_the_file_and_overridden_by_its_variable(String key, String env, String fileValue, String envValue)
            throws Exception {
        assertThat(ConfigKey.byPath(key)).get().extracting(ConfigKey::env).isEqualTo(env);
        String[] path = key.split("\\.");
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < path.length; i++) {
            yaml.append("  ".repeat(i)).append(path[i]).append(i == path.length - 1 ? ": " + fileValue : ":").append('\n');
        }
        Function<ImprintConfig.Dps, String> read = switch (key) {
            case "dps.enabled" -> d -> d.enabled() ? "on" : "false";
            case "dps.https.address" -> d -> d.https().address();
            case "dps.https.port" -> d -> Integer.toString(d.https().port());
            case "dps.mqtt.address" -> d -> d.mqtt().address();
            case "dps.mqtt.port" -> d -> Integer.toString(d.mqtt().port());
            case "dps.idScope" -> ImprintConfig.Dps::idScope;
            case "dps.rate" -> d -> Integer.toString(d.perSecond());
            default -> d -> Integer.toString(d.perDevicePerMinute());
        };
        assertThat(read.apply(load(yaml.toString(), Map.of()).dps())).isEqualTo(fileValue);
        assertThat(read.apply(load(yaml.toString(), Map.of(env, envValue)).dps())).isEqualTo(envValue);
    }

    @Test
    void hubs_list_with_shared_and_per_hub_limits_and_sinks() throws Exception {
        ImprintConfig c = load("""
                hub:
                  maxMessageBytes: 65536
                  connectTimeoutSeconds: 5
                  telemetryFile: telemetry/{hub}.jsonl
                hubs:
                  - name: north
                    address: 127.0.0.5
                    port: 18883
                    hostname: north.hub.example
                    inflightWindow: 4
                  - {name: south, address: 127.0.0.6, webhook: "http://127.0.0.1:9/telemetry", maxKeepAliveSeconds: 60,
                     outboundQueue: 10, connectsPerClientIdPerMinute: 5}
                """, Map.of());
        assertThat(c.hubs()).hasSize(2);
        ImprintConfig.Hub north = c.hubs().get(0);
        ImprintConfig.Hub south = c.hubs().get(1);
        assertThat(north.listener()).isEqualTo(new ImprintConfig.Listener("127.0.0.5", 18883));
        assertThat(north.hostname()).isEqualTo("north.hub.example");
        assertThat(north.mqtt()).isEqualTo("mqtts://north.hub.example:18883");
        assertThat(north.limits()).isEqualTo(new ConnectionLimits(65536, Duration.ofSeconds(5), 1200, 4, 1000, 30));
        assertThat(north.telemetryFile()).isEqualTo(c.dataDir().resolve("telemetry/north.jsonl"));
        assertThat(north.webhook()).isNull();
        assertThat(south.listener()).isEqualTo(new ImprintConfig.Listener("127.0.0.6", 8883));
        assertThat(south.hostname()).isEqualTo("127.0.0.6");
        assertThat(south.webhook()).isEqualTo(URI.create("http://127.0.0.1:9/telemetry"));
        assertThat(south.limits()).isEqualTo(new ConnectionLimits(65536, Duration.ofSeconds(5), 60, 16, 10, 5));
    }

    /** Every hub.* key: its variable overrides the hub section and the entries' own values, for every hub. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "hub.telemetryFile,                IMPRINT_HUB_TELEMETRY_FILE,                  /var/tmp/t-{hub}.jsonl",
        "hub.webhook,                      IMPRINT_HUB_WEBHOOK,                         https://sink.example/t",
        "hub.maxMessageBytes,              IMPRINT_HUB_MAX_MESSAGE_BYTES,               2048",
        "hub.connectTimeoutSeconds,        IMPRINT_HUB_CONNECT_TIMEOUT_SECONDS,         3",
        "hub.maxKeepAliveSeconds,          IMPRINT_HUB_MAX_KEEP_ALIVE_SECONDS,          30",
        "hub.inflightWindow,               IMPRINT_HUB_INFLIGHT_WINDOW,                 2",
        "hub.outboundQueue,                IMPRINT_HUB_OUTBOUND_QUEUE,                  7",
        "hub.connectsPerClientIdPerMinute, IMPRINT_HUB_CONNECTS_PER_CLIENT_ID_PER_MINUTE, 99",
    })
    void hub_key_is_overridden_by_its_variable(String key, String env, String envValue) throws Exception {
        assertThat(ConfigKey.byPath(key)).get().extracting(ConfigKey::env).isEqualTo(env);
        String field = key.substring(4);
        String fileValue = field.equals("webhook") ? "http://127.0.0.1:1/file" : field.equals("telemetryFile") ? "file-{hub}"
                : field.equals("connectTimeoutSeconds") ? "11" : "1111";
        String ownValue = fileValue.replace("11", "12"); // hub b's own value in its entry
        ImprintConfig fromFile = load("hub:\n  " + field + ": \"" + fileValue + "\"\nhubs:\n  - {name: a, address: 127.0.0.9}\n"
                + "  - {name: b, address: 127.0.0.6, " + field + ": \"" + ownValue + "\"}\n", Map.of());
        ImprintConfig fromEnv = ConfigLoader.load(dir, Map.of(env, envValue));
        Function<ImprintConfig.Hub, String> read = switch (field) {
            case "telemetryFile" -> h -> h.telemetryFile().toString();
            case "webhook" -> h -> h.webhook().toString();
            case "maxMessageBytes" -> h -> Integer.toString(h.limits().maxMessageBytes());
            case "connectTimeoutSeconds" -> h -> Long.toString(h.limits().connectTimeout().toSeconds());
            case "maxKeepAliveSeconds" -> h -> Integer.toString(h.limits().maxKeepAliveSeconds());
            case "inflightWindow" -> h -> Integer.toString(h.limits().inflightWindow());
            case "outboundQueue" -> h -> Integer.toString(h.limits().outboundQueue());
            default -> h -> Integer.toString(h.limits().connectsPerClientIdPerMinute());
        };
        String expectedA = field.equals("telemetryFile") ? fromFile.dataDir().resolve("file-a").toString() : fileValue;
        String expectedB = field.equals("telemetryFile") ? fromFile.dataDir().resolve("file-b").toString() : ownValue;
        assertThat(fromFile.hubs()).extracting(read).containsExactly(expectedA, expectedB);
        assertThat(fromEnv.hubs()).extracting(read).containsExactly(envValue.replace("{hub}", "a"), envValue.replace("{hub}", "b"));
    }

    @Test
    void imprint_hubs_replaces_the_files_list_and_none_means_no_hub() throws Exception {
        String yaml = "hubs:\n  - {name: north, address: 127.0.0.5, port: 18883}\n";
        assertThat(load(yaml, Map.of()).hubs()).extracting(ImprintConfig.Hub::name).containsExactly("north");
        ImprintConfig c = load(yaml, Map.of("IMPRINT_HUBS", "x=127.0.0.7:1883, y=127.0.0.8:2883"));
        assertThat(c.hubs()).extracting(h -> h.name() + "@" + h.listener().hostPort()).containsExactly("x@127.0.0.7:1883", "y@127.0.0.8:2883");
        assertThat(load(yaml, Map.of("IMPRINT_HUBS", "none")).hubs()).isEmpty();
        assertThat(load("hubs: []\n", Map.of()).hubs()).isEmpty();
    }

    /** Each bad value stops the start with a message naming the key (and its variable when it came from one). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "dps.enabled: maybe                              |                                   | dps.enabled (env IMPRINT_DPS): 'maybe'",
        "dps.https.address: 'bad host!'                  |                                   | dps.https.address (env IMPRINT_DPS_HTTPS_ADDRESS)",
        "dps.https.port: 70000                           |                                   | dps.https.port (env IMPRINT_DPS_HTTPS_PORT): '70000'",
        "dps.mqtt.address: ''                            |                                   | dps.mqtt.address (env IMPRINT_DPS_MQTT_ADDRESS)",
        "dps.mqtt.port: 0                                |                                   | dps.mqtt.port (env IMPRINT_DPS_MQTT_PORT): '0'",
        "dps.idScope: 'has space'                        |                                   | dps.idScope (env IMPRINT_DPS_ID_SCOPE): 'has space'",
        "dps.rate: -5                                    |                                   | dps.rate (env IMPRINT_DPS_RATE): '-5'",
        "                                                | IMPRINT_DPS_DEVICE_RATE=lots     | dps.deviceRate (env IMPRINT_DPS_DEVICE_RATE): 'lots'",
        "                                                | IMPRINT_HUBS=hub-1@127.0.0.1     | hubs (env IMPRINT_HUBS): 'hub-1@127.0.0.1' is not name=address:port",
        "                                                | IMPRINT_HUBS=h=127.0.0.1:x       | hubs[0].port (env IMPRINT_HUBS): 'x'",
        "hubs: {name: a}                                 |                                   | hubs: must be a list",
        "hubs: [{address: 127.0.0.9}]                    |                                   | hubs[0].name: ''",
        "hubs: [{name: a}]                               |                                   | hubs[0].address: required",
        "hubs: [{name: a, address: 127.0.0.9, port: 0}]  |                                   | hubs[0].port: '0'",
        "hubs: [{name: a, address: 127.0.0.9, colour: 1}]|                                   | hubs[0]: unknown key 'colour'",
        "hubs: [{name: a, address: 127.0.0.9}, {name: a, address: 127.0.0.6}] |               | hubs[1].name: hub name 'a' appears twice",
        "hubs: [{name: a, address: 127.0.0.9, inflightWindow: 0}] |                          | hubs[0].inflightWindow: '0'",
        "hub.webhook: 'ftp://x'                          |                                   | hub.webhook (env IMPRINT_HUB_WEBHOOK): 'ftp://x'",
        "hub.maxMessageBytes: 10                         |                                   | hub.maxMessageBytes (env IMPRINT_HUB_MAX_MESSAGE_BYTES): '10'",
        "                                                | IMPRINT_HUB_CONNECT_TIMEOUT_SECONDS=0 | hub.connectTimeoutSeconds (env IMPRINT_HUB_CONNECT_TIMEOUT_SECONDS): '0'",
        "hub.maxKeepAliveSeconds: 0                      |                                   | hub.maxKeepAliveSeconds (env IMPRINT_HUB_MAX_KEEP_ALIVE_SECONDS)",
        "hub.outboundQueue: many                         |                                   | hub.outboundQueue (env IMPRINT_HUB_OUTBOUND_QUEUE): 'many'",
        "hub.connectsPerClientIdPerMinute: 0             |                                   | hub.connectsPerClientIdPerMinute (env IMPRINT_HUB_CONNECTS_PER_CLIENT_ID_PER_MINUTE)",
        "hubs: [{name: a, address: 127.0.0.2, port: 8883}] |                                 | dps.mqtt and hubs[0] (a) listen on the same address and port 127.0.0.2:8883",
    })
    void bad_value_is_refused_naming_its_key(String yamlLine, String envPair, String expected) throws Exception {
        StringBuilder yaml = new StringBuilder();
        if (yamlLine != null) {
            String[] kv = yamlLine.split(": ", 2);
            String[] path = kv[0].split("\\.");
            for (int i = 0; i < path.length; i++) {
                yaml.append("  ".repeat(i)).append(path[i]).append(i == path.length - 1 ? ": " + kv[1] : ":").append('\n');
            }
        }
        Map<String, String> env = envPair == null ? Map.of() : Map.of(envPair.split("=", 2)[0], envPair.split("=", 2)[1]);
        assertThatThrownBy(() -> load(yaml.toString(), env))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(1).first().asString().contains(expected));
    }

    @Test
    void a_disabled_dps_frees_its_addresses() throws Exception {
        ImprintConfig c = load("dps:\n  enabled: false\nhubs: [{name: a, address: 127.0.0.2, port: 8883}]\n", Map.of());
        assertThat(c.dps().enabled()).isFalse();
        assertThat(c.hubs()).hasSize(1);
    }
}
