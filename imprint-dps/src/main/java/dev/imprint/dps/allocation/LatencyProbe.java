package dev.imprint.dps.allocation;

import dev.imprint.store.HubRecord;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Measures a hub's latency as the TCP connect time to its MQTT endpoint, cached for a while
 * (so a registration costs no probe most of the time). Unreachable: {@code Long.MAX_VALUE}.
 */
public final class LatencyProbe {
    private final Duration timeout;
    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Measured> cache = new ConcurrentHashMap<>();

    private record Measured(long micros, Instant at) {}

    public LatencyProbe(Duration timeout, Duration ttl, Clock clock) {
        this.timeout = timeout;
        this.ttl = ttl;
        this.clock = clock;
    }

    public long micros(HubRecord hub) {
        Measured m = cache.get(hub.name());
        if (m == null || clock.instant().isAfter(m.at().plus(ttl))) {
            m = new Measured(measure(hub.mqtt()), clock.instant());
            cache.put(hub.name(), m);
        }
        return m.micros();
    }

    private long measure(String endpoint) {
        try {
            URI u = URI.create(endpoint);
            int port = u.getPort() > 0 ? u.getPort() : 8883;
            long start = System.nanoTime();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(u.getHost(), port), (int) timeout.toMillis());
            }
            return (System.nanoTime() - start) / 1000;
        } catch (IOException | IllegalArgumentException e) {
            return Long.MAX_VALUE;
        }
    }
}
