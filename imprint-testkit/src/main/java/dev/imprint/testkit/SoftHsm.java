package dev.imprint.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A fresh SoftHSM2 token in a folder of its own, for tests of PKCS#11 keys. SunPKCS11 reads
 * {@code SOFTHSM2_CONF} from the process environment, so whatever uses the token runs in a
 * child process with {@link #env()} set.
 *
 * @param conf the SoftHSM2 configuration naming the token folder (the value of SOFTHSM2_CONF)
 * @param pkcs11Config a SunPKCS11 configuration file for the token's slot
 */
public record SoftHsm(Path conf, Path pkcs11Config) {
    public static final Path LIBRARY = Path.of("/usr/lib/softhsm/libsofthsm2.so");
    private static final Path UTIL = Path.of("/usr/bin/softhsm2-util");

    /** Whether SoftHSM2 is installed (scripts/test installs it). */
    public static boolean available() {
        return Files.exists(LIBRARY) && Files.isExecutable(UTIL);
    }

    /**
     * Initialises a token under {@code dir}.
     *
     * @throws IllegalStateException when softhsm2-util fails (its output is in the message)
     */
    public static SoftHsm init(Path dir, String label, String soPin, String pin) throws IOException, InterruptedException {
        Path tokens = Files.createDirectories(dir.resolve("tokens"));
        Path conf = dir.resolve("softhsm2.conf");
        Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\n");
        ProcessBuilder pb = new ProcessBuilder(UTIL.toString(), "--init-token", "--free", "--label", label,
                "--so-pin", soPin, "--pin", pin).redirectErrorStream(true);
        pb.environment().put("SOFTHSM2_CONF", conf.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("softhsm2-util --init-token failed: " + out);
        }
        Path pkcs11 = dir.resolve("pkcs11.cfg");
        Files.writeString(pkcs11, "name = " + label.replaceAll("[^A-Za-z0-9]", "") + "\nlibrary = " + LIBRARY + "\nslotListIndex = 0\n");
        return new SoftHsm(conf, pkcs11);
    }

    /** The environment a child process needs to see this token. */
    public java.util.Map<String, String> env() {
        return java.util.Map.of("SOFTHSM2_CONF", conf.toString());
    }
}
