package dev.imprint.server.config;

import dev.imprint.server.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The passphrase that encrypts the CA key files: {@code IMPRINT_CA_PASSPHRASE} when set, else a
 * generated one kept in {@code <data>/secrets/ca-passphrase} (mode 0600), with a warning: a key
 * and its passphrase side by side protect only against copying one file.
 */
public final class CaPassphrase {
    public static final String ENV = "IMPRINT_CA_PASSPHRASE";
    private static final Logger LOG = LoggerFactory.getLogger(CaPassphrase.class);

    private CaPassphrase() {}

    /** @throws UncheckedIOException when the secrets file cannot be read or written */
    public static char[] resolve(Path dataDir, Map<String, String> env) {
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv.toCharArray();
        }
        Path file = dataDir.resolve("secrets").resolve("ca-passphrase");
        try {
            if (Files.exists(file)) {
                LOG.warn("event=ca.passphrase source=file path={} msg=\"set {} to keep the CA key passphrase out of the data folder\"", file, ENV);
                return Files.readString(file, StandardCharsets.US_ASCII).trim().toCharArray();
            }
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String generated = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            PrivateFiles.write(file, (generated + "\n").getBytes(StandardCharsets.US_ASCII));
            LOG.warn("event=ca.passphrase source=generated path={} msg=\"{} is not set: generated a CA key passphrase and stored it beside the keys (mode 0600)\"", file, ENV);
            return generated.toCharArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }
}
