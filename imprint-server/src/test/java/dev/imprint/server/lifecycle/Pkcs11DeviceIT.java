package dev.imprint.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.imprint.server.cli.AdminClient;
import dev.imprint.server.up.Node;
import dev.imprint.testkit.SoftHsm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device SDK with its keys in a SoftHSM2 token: factory certificate, DPS registration,
 * operational key generated in the token, hub connection and telemetry. Skipped with a message
 * when SoftHSM2 is not installed.
 */
class Pkcs11DeviceIT {
    @Test
    @Timeout(150)
    void device_with_token_keys_registers_connects_and_sends(@TempDir Path tmp) throws Exception {
        assumeTrue(SoftHsm.available(), "SoftHSM2 not installed (apt-get install softhsm2): PKCS#11 device test skipped");
        SoftHsm token = SoftHsm.init(tmp, "device", "12345678", "1234");
        Path pkcs11 = token.pkcs11Config();

        Path data = tmp.resolve("data");
        try (Node server = LocalImprint.start(data, Duration.ofHours(1), Map.of("IMPRINT_CA_PASSPHRASE", "test-passphrase-not-secret"))) {
            JsonNode st = AdminClient.forDataDir(data).post("/stations", JsonNodeFactory.instance.objectNode()
                    .put("name", "hsm-line").put("idPattern", "hsm-[0-9]+").put("quota", 0).put("rate", 0));
            Path station = Files.createDirectories(tmp.resolve("station"));
            Files.writeString(station.resolve("station.crt"), st.get("certificate").asText());
            Files.writeString(station.resolve("station.key"), st.get("key").asText());
            Files.writeString(station.resolve("chain.pem"), st.get("chain").asText());

            ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Pkcs11DeviceChild.class.getName(),
                    pkcs11.toString(), "1234", station.toString(), data.toString(), "hsm-1").redirectErrorStream(true);
            child.environment().putAll(token.env());
            Process c = child.start();
            String log = new String(c.getInputStream().readAllBytes());
            assertThat(c.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(c.exitValue()).as(log).isZero();
            assertThat(log).contains("KEY_IN_MEMORY false", "FACTORY ", "CONNECTED 127.0.0.", "ACKED 5", "OPERATIONAL_KEY_IN_MEMORY false");
            // the hub acknowledges on receipt and stores in batches right after: wait for the batch
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(server.store().telemetry().recent("hsm-1", 10)).hasSize(5));
        }
    }
}
