package dev.imprint.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.imprint.store.JdbcStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CA keys in a SoftHSM2 token through SunPKCS11. Skipped (with a message) when SoftHSM2 is not installed. */
class Pkcs11Test {
    static final Path LIB = Path.of("/usr/lib/softhsm/libsofthsm2.so");

    @TempDir
    Path tmp;

    @Test
    void ca_keys_live_in_the_token_and_are_reused() throws Exception {
        assumeTrue(Files.exists(LIB) && Files.isExecutable(Path.of("/usr/bin/softhsm2-util")),
                "SoftHSM2 not installed (apt-get install softhsm2): PKCS#11 test skipped");
        Path tokens = Files.createDirectories(tmp.resolve("tokens"));
        Path conf = tmp.resolve("softhsm2.conf");
        Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\n");
        ProcessBuilder pb = new ProcessBuilder("softhsm2-util", "--init-token", "--free", "--label", "imprint",
                "--so-pin", "12345678", "--pin", "1234").redirectErrorStream(true);
        pb.environment().put("SOFTHSM2_CONF", conf.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        // SunPKCS11 reads SOFTHSM2_CONF from the process environment, which a running JVM cannot set:
        // the token directory is therefore given to SoftHSM through a config it finds by default
        // only when the env var is set. We run the CA in a child JVM to give it that environment.
        Path pkcs11 = tmp.resolve("pkcs11.cfg");
        Files.writeString(pkcs11, "name = SoftHSM\nlibrary = " + LIB + "\nslotListIndex = 0\n");
        String cp = System.getProperty("java.class.path");
        for (int run = 0; run < 2; run++) {
            ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", cp, Pkcs11Child.class.getName(), pkcs11.toString(), tmp.resolve("data").toString())
                    .redirectErrorStream(true);
            child.environment().put("SOFTHSM2_CONF", conf.toString());
            Process c = child.start();
            String log = new String(c.getInputStream().readAllBytes());
            assertThat(c.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(c.exitValue()).as(log).isZero();
            assertThat(log).contains("ISSUED dev-" + run);
        }
        // no key files: the keys are in the token
        assertThat(Files.exists(tmp.resolve("data/pki/manufacturing.key"))).isFalse();
        assertThat(Files.exists(tmp.resolve("data/pki/manufacturing.crt"))).isTrue();
        assertThat(JdbcStore.class).isNotNull();
    }
}
