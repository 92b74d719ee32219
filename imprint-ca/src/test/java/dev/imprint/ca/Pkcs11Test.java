package dev.imprint.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.imprint.store.JdbcStore;
import dev.imprint.testkit.SoftHsm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CA keys in a SoftHSM2 token through SunPKCS11. Skipped (with a message) when SoftHSM2 is not installed. */
class Pkcs11Test {
    @TempDir
    Path tmp;

    @Test
    void ca_keys_live_in_the_token_and_are_reused() throws Exception {
        assumeTrue(SoftHsm.available(), "SoftHSM2 not installed (apt-get install softhsm2): PKCS#11 test skipped");
        // SunPKCS11 reads SOFTHSM2_CONF from the process environment, which a running JVM cannot set:
        // the CA runs in a child JVM with that environment.
        SoftHsm token = SoftHsm.init(tmp, "imprint", "12345678", "1234");
        Path pkcs11 = token.pkcs11Config();
        String cp = System.getProperty("java.class.path");
        for (int run = 0; run < 2; run++) {
            ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", cp, Pkcs11Child.class.getName(), pkcs11.toString(), tmp.resolve("data").toString())
                    .redirectErrorStream(true);
            child.environment().putAll(token.env());
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
