package dev.imprint.store;

import java.time.Instant;
import java.util.Objects;

/**
 * An IoT hub devices can be assigned to.
 *
 * @param name unique name, e.g. {@code hub-1}
 * @param hostname the host name devices connect to, e.g. {@code 127.0.0.3} (the Azure SDK needs a dot in it)
 * @param mqtt the MQTT endpoint, e.g. {@code mqtts://127.0.0.3:8883}
 * @param region optional region label used by region allocation (null = none)
 * @param weight share of hashed allocation, 1 to 1000
 */
public record HubRecord(String name, String hostname, String mqtt, String region, int weight, Instant createdAt) {
    public HubRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(mqtt, "mqtt");
        Objects.requireNonNull(createdAt, "createdAt");
        if (weight < 1 || weight > 1000) {
            throw new IllegalArgumentException("hub weight must be 1 to 1000: " + weight);
        }
    }
}
