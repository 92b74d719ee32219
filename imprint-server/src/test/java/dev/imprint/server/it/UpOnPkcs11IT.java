package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.imprint.testkit.SoftHsm;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code imprint up} (the real jar, in its own process) with the CA keys in a SoftHSM2 token:
 * the hierarchy is created in the token on the first run, a station enrolls a device over EST,
 * and the second run reuses the same keys. No CA key file is ever written. SoftHSM2 is
 * installed by scripts/test; without it the test is skipped with a message.
 */
class UpOnPkcs11IT {
    @TempDir
    Path tmp;

    @Test
    @Timeout(180)
    void up_creates_and_reuses_its_ca_keys_in_the_token() throws Exception {
        assumeTrue(SoftHsm.available(), "SoftHSM2 not installed (apt-get install softhsm2): PKCS#11 test skipped");
        SoftHsm token = SoftHsm.init(tmp, "imprint-up", "87654321", "4321");

        Path data = Files.createDirectories(tmp.resolve("data"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        Files.copy(token.pkcs11Config(), data.resolve("pkcs11.cfg"));
        Files.writeString(data.resolve("imprint.yaml"), "ca:\n  pkcs11:\n    config: pkcs11.cfg\n");
        Map<String, String> env = Fixture.env();
        env.remove("IMPRINT_CA_PASSPHRASE");
        env.put("IMPRINT_CA_PKCS11_PIN", "4321");
        env.putAll(token.env());
        env.put("IMPRINT_DPS", "off");

        String rootFirst;
        try (ServerProcess up = ServerProcess.start(data, env, work)) {
            rootFirst = Files.readString(data.resolve("pki/root.crt"));
            enrollThroughAStation(data, work, "hsm1", "hsm1-0001");
        }
        assertThat(caKeyFiles(data)).as("CA keys live in the token, not in files").isEmpty();
        assertThat(Files.exists(data.resolve("pki/passphrase"))).isFalse();

        try (ServerProcess again = ServerProcess.start(data, env, work)) {
            assertThat(Files.readString(data.resolve("pki/root.crt"))).as("the same hierarchy, reused").isEqualTo(rootFirst);
            enrollThroughAStation(data, work, "hsm2", "hsm2-0001");
            assertThat(again.output()).doesNotContain("creating root CA");
        }
        assertThat(caKeyFiles(data)).isEmpty();
    }

    private static void enrollThroughAStation(Path data, Path work, String station, String deviceId) throws Exception {
        var created = Fixture.cli("station", "create", station, "--ids", station + "-.*", "--out", work.resolve(station).toString(),
                "--data", data.toString());
        assertThat(created.code()).as(created.all()).isZero();
        var endpoints = dev.imprint.server.up.Endpoints.read(data);
        HttpClient http = Fixture.https(Path.of(endpoints.trust()), work.resolve(station + "/station.crt"), work.resolve(station + "/station.key"));
        String serial = KillNineDurabilityIT.enroll(http, URI.create(endpoints.est() + "/simpleenroll"), deviceId);
        assertThat(serial).isNotBlank();
    }

    private static java.util.List<Path> caKeyFiles(Path data) throws Exception {
        try (Stream<Path> s = Files.list(data.resolve("pki"))) {
            return s.filter(f -> f.getFileName().toString().endsWith(".key")).toList();
        }
    }
}
