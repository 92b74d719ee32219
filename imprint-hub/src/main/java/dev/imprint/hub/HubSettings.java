package dev.imprint.hub;

import dev.imprint.mqtt.ConnectionLimits;
import dev.imprint.mqtt.proxy.Balancers;
import java.time.Duration;
import java.util.Objects;

/**
 * One hub's settings.
 *
 * @param name the hub's name, as DPS assigns devices to it (e.g. {@code hub-1})
 * @param hostname the name devices use (in the Azure SDK's username); needs a dot for the SDK
 * @param bindAddress listen address (e.g. {@code 127.0.0.3})
 * @param port listen port (8883: the Azure SDK cannot use another)
 * @param telemetryMaxAge telemetry older than this is deleted
 * @param telemetryMaxRows at most this many telemetry messages are kept (all devices)
 * @param c2dTtl how long a cloud-to-device message waits for an offline device
 * @param watchInterval the backstop poll of revocations and disabled enrollments, for a
 *     doorbell that never rang (the in-process CA calls the hub at once, other nodes ring the
 *     bus): the most a lost doorbell delays a session's end
 * @param balancers the TCP balancers in front of the hub (config {@code cluster.balancers}): their
 *     connections must start with a PROXY header, whose source is then the device's address in logs
 *     and limits; nobody else may send one. None by default (no PROXY protocol)
 */
public record HubSettings(String name, String hostname, String bindAddress, int port, ConnectionLimits limits,
        Duration telemetryMaxAge, long telemetryMaxRows, Duration c2dTtl, Duration watchInterval, Balancers balancers) {

    public HubSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(balancers, "balancers");
    }

    /** Defaults: port 8883, 7 days / 1,000,000 telemetry rows, c2d TTL 1 day, backstop poll every 5 s. */
    public static HubSettings of(String name, String hostname, String bindAddress) {
        return new HubSettings(name, hostname, bindAddress, 8883, ConnectionLimits.defaults(), Duration.ofDays(7), 1_000_000,
                Duration.ofDays(1), Duration.ofSeconds(5), Balancers.none());
    }

    public HubSettings withTelemetryMaxAge(Duration age) {
        return new HubSettings(name, hostname, bindAddress, port, limits, age, telemetryMaxRows, c2dTtl, watchInterval, balancers);
    }

    public HubSettings withPort(int p) {
        return new HubSettings(name, hostname, bindAddress, p, limits, telemetryMaxAge, telemetryMaxRows, c2dTtl, watchInterval, balancers);
    }

    public HubSettings withBalancers(Balancers b) {
        return new HubSettings(name, hostname, bindAddress, port, limits, telemetryMaxAge, telemetryMaxRows, c2dTtl, watchInterval, b);
    }

    public HubSettings withWatchInterval(Duration w) {
        return new HubSettings(name, hostname, bindAddress, port, limits, telemetryMaxAge, telemetryMaxRows, c2dTtl, w, balancers);
    }

    public HubSettings withLimits(ConnectionLimits l) {
        return new HubSettings(name, hostname, bindAddress, port, l, telemetryMaxAge, telemetryMaxRows, c2dTtl, watchInterval, balancers);
    }
}
