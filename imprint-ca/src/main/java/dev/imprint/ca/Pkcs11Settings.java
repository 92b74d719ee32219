package dev.imprint.ca;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A PKCS#11 token for the CA keys, used through the JDK's SunPKCS11 provider.
 *
 * @param configFile a SunPKCS11 configuration file ({@code name}, {@code library}, and
 *     {@code slot} or {@code slotListIndex}); the slot is chosen there
 * @param pin the token's user PIN
 */
public record Pkcs11Settings(Path configFile, char[] pin) {
    public Pkcs11Settings {
        Objects.requireNonNull(configFile, "configFile");
        Objects.requireNonNull(pin, "pin");
    }
}
