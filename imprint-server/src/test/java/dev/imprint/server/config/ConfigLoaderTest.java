package dev.imprint.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaults_match_the_endpoint_table() {
        ImprintConfig c = ConfigLoader.load(dir, Map.of());
        assertThat(c.pki()).isEqualTo(new ImprintConfig.Listener("127.0.0.1", 8080));
        assertThat(c.pkiBaseUrl()).isEqualTo("http://127.0.0.1:8080");
        assertThat(c.https().listener()).isEqualTo(new ImprintConfig.Listener("127.0.0.1", 8443));
        assertThat(c.https().engine()).isEqualTo(ImprintConfig.TlsEngine.AUTO);
        assertThat(c.ca().operationalValidity()).isEqualTo(Duration.ofDays(30));
        assertThat(c.ca().expiredCertificateRetention()).isEqualTo(Duration.ofDays(30));
        assertThat(c.store().url()).isNull();
    }

    @Test
    void file_values_apply_and_environment_overrides_them() throws Exception {
        Files.writeString(dir.resolve("imprint.yaml"), """
                pki:
                  port: 18080
                https:
                  port: 18443
                  dnsNames: [ca.example.com, est.example.com]
                ca:
                  crlNextUpdateSeconds: 600
                """);
        ImprintConfig c = ConfigLoader.load(dir, Map.of("IMPRINT_HTTPS_PORT", "28443", "IMPRINT_PKI_URL", "http://pki.example.com/"));
        assertThat(c.pki().port()).isEqualTo(18080);
        assertThat(c.https().listener().port()).isEqualTo(28443);
        assertThat(c.https().dnsNames()).containsExactly("ca.example.com", "est.example.com");
        assertThat(c.pkiBaseUrl()).isEqualTo("http://pki.example.com");
        assertThat(c.ca().crlNextUpdate()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void json_file_is_accepted() throws Exception {
        Files.writeString(dir.resolve("imprint.json"), "{\"https\": {\"engine\": \"jdk\"}}");
        assertThat(ConfigLoader.load(dir, Map.of()).https().engine()).isEqualTo(ImprintConfig.TlsEngine.JDK);
    }

    @Test
    void reports_every_problem_at_once() throws Exception {
        Files.writeString(dir.resolve("imprint.yaml"), """
                pki:
                  port: 99999
                https:
                  engine: quantum
                  dnsNames: ["bad name!"]
                colour: blue
                """);
        assertThatThrownBy(() -> ConfigLoader.load(dir, Map.of("IMPRINT_CA_OPERATIONAL_VALIDITY_DAYS", "soon")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .hasSize(5)
                        .anyMatch(p -> p.contains("pki.port") && p.contains("IMPRINT_PKI_PORT"))
                        .anyMatch(p -> p.contains("https.engine"))
                        .anyMatch(p -> p.contains("bad name!"))
                        .anyMatch(p -> p.contains("unknown key 'colour'"))
                        .anyMatch(p -> p.contains("IMPRINT_CA_OPERATIONAL_VALIDITY_DAYS")));
    }

    @Test
    void durations_take_units_and_plain_numbers_keep_the_unit_of_the_key() throws Exception {
        Files.writeString(dir.resolve("imprint.yaml"), """
                https:
                  requestTimeoutSeconds: 2m
                ca:
                  operationalValidityDays: 30s
                  manufacturingValidityDays: 365
                  crlNextUpdateSeconds: 15m
                  expiredCertificateRetention: 2m
                hub:
                  connectTimeoutSeconds: 5
                  telemetryRetention: 1h
                hubs:
                  - {name: hub-1, address: 127.0.8.3, telemetryRetention: 90s}
                  - {name: hub-2, address: 127.0.8.4}
                """);
        ImprintConfig c = ConfigLoader.load(dir, Map.of("IMPRINT_HUB_MAX_KEEP_ALIVE_SECONDS", "30m"));
        assertThat(c.https().requestDeadline()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.ca().operationalValidity()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.ca().manufacturingValidity()).isEqualTo(Duration.ofDays(365));
        assertThat(c.ca().crlNextUpdate()).isEqualTo(Duration.ofMinutes(15));
        assertThat(c.ca().expiredCertificateRetention()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.hubs().get(0).telemetryRetention()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.hubs().get(1).telemetryRetention()).isEqualTo(Duration.ofHours(1));
        assertThat(c.hubs().get(1).limits().connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.hubs().get(1).limits().maxKeepAliveSeconds()).isEqualTo(1800);
    }

    @Test
    void a_bad_duration_names_the_key_and_the_accepted_forms() throws Exception {
        Files.writeString(dir.resolve("imprint.yaml"), """
                ca:
                  crlNextUpdateSeconds: 1s
                  manufacturingValidityDays: 1.5d
                hub:
                  telemetryRetention: forever
                """);
        assertThatThrownBy(() -> ConfigLoader.load(dir, Map.of("IMPRINT_CA_OPERATIONAL_VALIDITY_DAYS", "-5s")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .hasSize(4)
                        .anyMatch(p -> p.contains("ca.crlNextUpdateSeconds") && p.contains("not in 10s..30d"))
                        .anyMatch(p -> p.contains("ca.manufacturingValidityDays") && p.contains("20s, 15m, 2h, 30d")
                                && p.contains("plain number of days"))
                        .anyMatch(p -> p.contains("hub.telemetryRetention") && p.contains("'forever' is not a duration"))
                        .anyMatch(p -> p.contains("IMPRINT_CA_OPERATIONAL_VALIDITY_DAYS") && p.contains("'-5s'")));
    }

    @Test
    void unreadable_yaml_is_a_problem_not_a_crash() throws Exception {
        Files.writeString(dir.resolve("imprint.yaml"), "pki: [unclosed");
        assertThatThrownBy(() -> ConfigLoader.load(dir, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("imprint.yaml");
    }

    @Test
    void env_names_follow_the_paths() {
        assertThat(ConfigKey.HTTPS_PORT.env()).isEqualTo("IMPRINT_HTTPS_PORT");
        assertThat(ConfigKey.PKI_ADDRESS.env()).isEqualTo("IMPRINT_PKI_ADDRESS");
        assertThat(ConfigKey.HTTPS_DNS_NAMES.env()).isEqualTo("IMPRINT_HTTPS_DNS_NAMES");
        assertThat(ConfigKey.CA_PKCS11_CONFIG.env()).isEqualTo("IMPRINT_CA_PKCS11_CONFIG");
    }

    @Test
    void generated_passphrase_is_kept_with_mode_0600_and_reused() throws Exception {
        char[] first = CaPassphrase.resolve(dir, Map.of());
        Path file = dir.resolve("secrets/ca-passphrase");
        assertThat(Files.getPosixFilePermissions(file)).extracting(Object::toString).containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
        assertThat(CaPassphrase.resolve(dir, Map.of())).isEqualTo(first);
        assertThat(CaPassphrase.resolve(dir, Map.of("IMPRINT_CA_PASSPHRASE", "from-env"))).isEqualTo("from-env".toCharArray());
    }
}
