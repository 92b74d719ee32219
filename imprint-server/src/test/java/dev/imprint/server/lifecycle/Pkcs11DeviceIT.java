package dev.imprint.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.imprint.server.cli.AdminClient;
import dev.imprint.server.up.ImprintServer;
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
    static final Path LIB = Path.of("/usr/lib/softhsm/libsofthsm2.so");

    @Test
    @Timeout(150)
    void device_with_token_keys_registers_connects_and_sends(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.exists(LIB) && Files.isExecutable(Path.of("/usr/bin/softhsm2-util")),
                "SoftHSM2 not installed (apt-get install softhsm2): PKCS#11 device test skipped");
        Path tokens = Files.createDirectories(tmp.resolve("tokens"));
        Path conf = tmp.resolve("softhsm2.conf");
        Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\n");
        ProcessBuilder init = new ProcessBuilder("softhsm2-util", "--init-token", "--free", "--label", "device",
                "--so-pin", "12345678", "--pin", "1234").redirectErrorStream(true);
        init.environment().put("SOFTHSM2_CONF", conf.toString());
        Process p = init.start();
        String initOut = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(initOut).isZero();
        Path pkcs11 = tmp.resolve("pkcs11.cfg");
        Files.writeString(pkcs11, "name = DeviceToken\nlibrary = " + LIB + "\nslotListIndex = 0\n");

        Path data = tmp.resolve("data");
        try (ImprintServer server = LocalImprint.start(data, Duration.ofHours(1), Map.of("IMPRINT_CA_PASSPHRASE", "test-passphrase-not-secret"))) {
            JsonNode st = AdminClient.forDataDir(data).post("/stations", JsonNodeFactory.instance.objectNode()
                    .put("name", "hsm-line").put("idPattern", "hsm-[0-9]+").put("quota", 0).put("rate", 0));
            Path station = Files.createDirectories(tmp.resolve("station"));
            Files.writeString(station.resolve("station.crt"), st.get("certificate").asText());
            Files.writeString(station.resolve("station.key"), st.get("key").asText());
            Files.writeString(station.resolve("chain.pem"), st.get("chain").asText());

            ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Pkcs11DeviceChild.class.getName(),
                    pkcs11.toString(), "1234", station.toString(), data.toString(), "hsm-1").redirectErrorStream(true);
            child.environment().put("SOFTHSM2_CONF", conf.toString());
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
