package dev.imprint.device.cloud;

import java.util.Locale;

/** How a device reaches DPS: the Azure DPS device API over HTTPS (the default) or over MQTT 3.1.1. */
public enum DpsTransport {
    HTTPS,
    MQTT;

    /**
     * {@code https} or {@code mqtt}, any case.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static DpsTransport parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("DPS transport must be https or mqtt, not '" + s + "'");
        }
    }
}
