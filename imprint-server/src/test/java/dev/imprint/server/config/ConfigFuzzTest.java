package dev.imprint.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.imprint.testkit.TempDirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code imprint.yaml} as any text: {@link ConfigLoader#load} returns a configuration or throws
 * a {@link ConfigException} naming at least one problem, never anything else (an operator's
 * typo must end in exit code 2 and a message, not a stack trace).
 */
class ConfigFuzzTest {
    static final Path DIR = TempDirs.create("config-fuzz");

    /** Real files, made now: every key at its default (written by Jackson's YAML writer), a hubs list, JSON, flow style. */
    static Stream<byte[]> seeds() throws IOException {
        YAMLMapper yaml = new YAMLMapper();
        ObjectNode all = yaml.createObjectNode();
        for (ConfigKey k : ConfigKey.values()) {
            if (k == ConfigKey.HUBS) {
                continue;
            }
            ObjectNode at = all;
            String[] parts = k.path().split("\\.");
            for (int i = 0; i < parts.length - 1; i++) {
                at = at.has(parts[i]) && at.get(parts[i]).isObject() ? (ObjectNode) at.get(parts[i]) : at.putObject(parts[i]);
            }
            at.put(parts[parts.length - 1], k.defaultValue());
        }
        return Stream.of(
                yaml.writeValueAsBytes(all),
                """
                pki:
                  port: 18080
                https:
                  port: 18443
                  dnsNames: [ca.example.com, est.example.com]
                ca:
                  crlNextUpdateSeconds: 600
                hubs:
                  - name: north
                    address: 127.0.0.5
                    port: 18883
                    hostname: north.hub.example
                    inflightWindow: 4
                  - {name: south, address: 127.0.0.6, webhook: "http://127.0.0.1:9/telemetry", maxKeepAliveSeconds: 60}
                """.getBytes(StandardCharsets.UTF_8),
                "{\"https\": {\"engine\": \"jdk\"}, \"dps\": {\"idScope\": \"0ne00ABC\"}}".getBytes(StandardCharsets.UTF_8),
                "store: {url: 'jdbc:postgresql://db/imprint', user: imprint}\n".getBytes(StandardCharsets.UTF_8));
    }

    @MethodSource("seeds")
    @FuzzTest
    void any_config_text_loads_or_names_its_problems(byte[] text) throws IOException {
        Files.write(DIR.resolve("imprint.yaml"), text);
        try {
            assertThat(ConfigLoader.load(DIR, Map.of())).isNotNull();
        } catch (ConfigException e) {
            assertThat(e.problems()).isNotEmpty();
        }
    }


    @AfterAll
    static void clean() throws IOException {
        Files.deleteIfExists(DIR.resolve("imprint.yaml"));
        Files.deleteIfExists(DIR);
    }
}
