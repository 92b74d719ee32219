package dev.imprint.dps;

import dev.imprint.mqtt.proxy.Balancers;
import dev.imprint.pki.validation.RevocationSource;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.IntSupplier;

/**
 * Everything the provisioning service needs, immutable. Start from {@link #defaults} and
 * change with the {@code with...} methods.
 *
 * @param idScope the ID scope devices are configured with
 * @param httpsHost address of the HTTPS device API (default 127.0.0.1)
 * @param httpsPort its port (default 9443; 0 picks a free one)
 * @param mqttHost address of the MQTT device API (default 127.0.0.2)
 * @param mqttPort its port (8883: the Azure SDK cannot use another; -1 turns MQTT off)
 * @param serverKey key of the TLS server certificate
 * @param serverChain server certificate first, then its issuers (its IP SANs must cover the hosts)
 * @param anchors trust anchors of attestation besides the CAs of group enrollments
 * @param revocation step 3's source (the CA's store, a CRL cache ...)
 * @param overallPerSecond registrations per second for the whole service (0 = unlimited)
 * @param perDevicePerMinute registrations per minute per device (0 = unlimited)
 * @param retryAfterSeconds poll interval told to devices (the Azure SDK clamps it to 2-5 s)
 * @param operationTtl how long an operation can be polled
 * @param enrollmentRefresh how often enrollments are reread (changes by other processes)
 * @param clock time of records, operations and their expiry
 * @param liveDpsNodes how many provisioning nodes are live (the node table on several nodes;
 *     default 1): this node admits {@code overallPerSecond / liveDpsNodes}, reread every few
 *     seconds. {@code perDevicePerMinute} stays per node, so across N nodes a device may register
 *     up to N times as often.
 * @param balancers the TCP balancers in front of both device APIs (PROXY protocol; none by default)
 * @param requestDeadline time from the first byte of an HTTPS request to its last (headers and
 *     body); past it the connection is closed (REQUEST_TIMEOUT), however slowly bytes trickle in
 * @param connectionsPerSource open connections one source address may hold on each device API
 *     listener (refused at accept beyond, TOO_MANY_CONNECTIONS); 0: no cap
 */
public record DpsSettings(
        String idScope,
        String httpsHost,
        int httpsPort,
        String mqttHost,
        int mqttPort,
        PrivateKey serverKey,
        List<X509Certificate> serverChain,
        List<X509Certificate> anchors,
        RevocationSource revocation,
        int overallPerSecond,
        int perDevicePerMinute,
        int retryAfterSeconds,
        Duration operationTtl,
        Duration enrollmentRefresh,
        Clock clock,
        IntSupplier liveDpsNodes,
        Balancers balancers,
        Duration requestDeadline,
        int connectionsPerSource) {

    public DpsSettings {
        Objects.requireNonNull(idScope, "idScope");
        Objects.requireNonNull(serverKey, "serverKey");
        serverChain = List.copyOf(serverChain);
        anchors = List.copyOf(anchors);
        Objects.requireNonNull(revocation, "revocation");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(liveDpsNodes, "liveDpsNodes");
        Objects.requireNonNull(balancers, "balancers");
        if (requestDeadline.isNegative() || requestDeadline.isZero()) {
            throw new IllegalArgumentException("requestDeadline must be positive: " + requestDeadline);
        }
        if (!idScope.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("idScope must be 1-64 of A-Z a-z 0-9 . _ -: " + idScope);
        }
    }

    /** HTTPS on 127.0.0.1:9443, MQTT on 127.0.0.2:8883, 1,000 registrations/s overall, 10 per device per minute. */
    public static DpsSettings defaults(String idScope, PrivateKey serverKey, List<X509Certificate> serverChain,
            List<X509Certificate> anchors, RevocationSource revocation) {
        return new DpsSettings(idScope, "127.0.0.1", 9443, "127.0.0.2", 8883, serverKey, serverChain, anchors, revocation,
                1000, 10, 2, Duration.ofMinutes(10), Duration.ofSeconds(5), Clock.systemUTC(), () -> 1,
                Balancers.none(), Duration.ofSeconds(30), dev.imprint.mqtt.ConnectionLimits.CONNECTIONS_PER_SOURCE);
    }

    public DpsSettings withHttps(String host, int port) {
        return new DpsSettings(idScope, host, port, mqttHost, mqttPort, serverKey, serverChain, anchors, revocation,
                overallPerSecond, perDevicePerMinute, retryAfterSeconds, operationTtl, enrollmentRefresh, clock, liveDpsNodes, balancers, requestDeadline, connectionsPerSource);
    }

    /** @param port -1 turns the MQTT device API off */
    public DpsSettings withMqtt(String host, int port) {
        return new DpsSettings(idScope, httpsHost, httpsPort, host, port, serverKey, serverChain, anchors, revocation,
                overallPerSecond, perDevicePerMinute, retryAfterSeconds, operationTtl, enrollmentRefresh, clock, liveDpsNodes, balancers, requestDeadline, connectionsPerSource);
    }

    public DpsSettings withRateLimits(int overallPerSecond, int perDevicePerMinute) {
        return new DpsSettings(idScope, httpsHost, httpsPort, mqttHost, mqttPort, serverKey, serverChain, anchors, revocation,
                overallPerSecond, perDevicePerMinute, retryAfterSeconds, operationTtl, enrollmentRefresh, clock, liveDpsNodes, balancers, requestDeadline, connectionsPerSource);
    }

    public DpsSettings withAnchors(List<X509Certificate> a) {
        return new DpsSettings(idScope, httpsHost, httpsPort, mqttHost, mqttPort, serverKey, serverChain, a, revocation,
                overallPerSecond, perDevicePerMinute, retryAfterSeconds, operationTtl, enrollmentRefresh, clock, liveDpsNodes, balancers, requestDeadline, connectionsPerSource);
    }

    public DpsSettings withConnectionsPerSource(int n) {
        return new DpsSettings(idScope, httpsHost, httpsPort, mqttHost, mqttPort, serverKey, serverChain, anchors, revocation,
                overallPerSecond, perDevicePerMinute, retryAfterSeconds, operationTtl, enrollmentRefresh, clock, liveDpsNodes, balancers, requestDeadline, n);
    }

    public DpsSettings withClock(Clock c) {
        return new DpsSettings(idScope, httpsHost, httpsPort, mqttHost, mqttPort, serverKey, serverChain, anchors, revocation,
                overallPerSecond, perDevicePerMinute, retryAfterSeconds, operationTtl, enrollmentRefresh, c, liveDpsNodes, balancers, requestDeadline, connectionsPerSource);
    }

    /** @param nodes the live provisioning nodes sharing {@link #overallPerSecond()} (read every few seconds) */
    public DpsSettings withLiveDpsNodes(IntSupplier nodes) {
        return new DpsSettings(idScope, httpsHost, httpsPort, mqttHost, mqttPort, serverKey, serverChain, anchors, revocation,
                overallPerSecond, perDevicePerMinute, retryAfterSeconds, operationTtl, enrollmentRefresh, clock, nodes, balancers, requestDeadline, connectionsPerSource);
    }

    /** The TCP balancers (config {@code cluster.balancers}) in front of the HTTPS and MQTT device APIs. */
    public DpsSettings withBalancers(Balancers b) {
        return new DpsSettings(idScope, httpsHost, httpsPort, mqttHost, mqttPort, serverKey, serverChain, anchors, revocation,
                overallPerSecond, perDevicePerMinute, retryAfterSeconds, operationTtl, enrollmentRefresh, clock, liveDpsNodes, b, requestDeadline, connectionsPerSource);
    }

    /** The deadline on each HTTPS request's headers and body (30 s by default). */
    public DpsSettings withRequestDeadline(Duration d) {
        return new DpsSettings(idScope, httpsHost, httpsPort, mqttHost, mqttPort, serverKey, serverChain, anchors, revocation,
                overallPerSecond, perDevicePerMinute, retryAfterSeconds, operationTtl, enrollmentRefresh, clock, liveDpsNodes, balancers, d, connectionsPerSource);
    }

    public String httpsUrl() {
        return "https://" + httpsHost + ":" + httpsPort;
    }

    public String mqttUrl() {
        return "mqtts://" + mqttHost + ":" + mqttPort;
    }
}
