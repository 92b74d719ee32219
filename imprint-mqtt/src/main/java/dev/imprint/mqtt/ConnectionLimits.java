package dev.imprint.mqtt;

import java.time.Duration;

/**
 * Limits of an {@link MqttTlsServer}'s connections; breaking one ends the connection through
 * the {@link Disconnector} with its own reason code (or, for the publish rate, holds it back).
 *
 * @param maxMessageBytes largest MQTT packet accepted (MESSAGE_TOO_LARGE beyond)
 * @param connectTimeout time from TCP accept to a valid CONNECT (handshake included)
 * @param maxKeepAliveSeconds keep-alives above are capped; 0 from a client means this cap
 * @param inflightWindow unacknowledged QoS 1 messages per session in each direction; inbound
 *     beyond it pauses reading from that client only, outbound beyond it waits in the queue
 * @param outboundQueue messages waiting for a slow client beyond the window; past it the client
 *     is disconnected (SLOW_CONSUMER) rather than letting memory grow
 * @param connectsPerClientIdPerMinute CONNECT attempts allowed per client ID (RATE_LIMITED beyond)
 * @param publishesPerSecond PUBLISH packets one connection may send per second, with a burst of
 *     one second's worth (see {@link PublishRate}); 0: no limit
 * @param slowReaderTimeout how long a connection may stay unwritable (its client does not read what
 *     the server sends) before it is closed with SLOW_READER; reading from it pauses meanwhile
 * @param connectionsPerSource open connections one source address may hold on the listener
 *     (refused at accept beyond, TOO_MANY_CONNECTIONS); 0: no limit
 */
public record ConnectionLimits(int maxMessageBytes, Duration connectTimeout, int maxKeepAliveSeconds,
        int inflightWindow, int outboundQueue, int connectsPerClientIdPerMinute, int publishesPerSecond,
        Duration slowReaderTimeout, int connectionsPerSource) {
    /** Far above any device's telemetry (AWS IoT Core allows 100 publishes a second per connection). */
    public static final int PUBLISHES_PER_SECOND = 500;
    /** A device on a slow link drains the server's 128 KiB write buffer in well under this. */
    public static final Duration SLOW_READER_TIMEOUT = Duration.ofSeconds(60);
    /**
     * Above what a site behind one NAT address needs on one listener, and above the loopback benches'
     * (10,000 simulated devices over two hubs); the 100,000-session bench sets its own.
     */
    public static final int CONNECTIONS_PER_SOURCE = 10_000;

    public static ConnectionLimits defaults() {
        return new ConnectionLimits(256 * 1024, Duration.ofSeconds(10), 1200, 16, 1000, 30);
    }

    /** The first six limits; the publish rate, slow-reader timeout and per-source cap at their defaults. */
    public ConnectionLimits(int maxMessageBytes, Duration connectTimeout, int maxKeepAliveSeconds, int inflightWindow,
            int outboundQueue, int connectsPerClientIdPerMinute) {
        this(maxMessageBytes, connectTimeout, maxKeepAliveSeconds, inflightWindow, outboundQueue, connectsPerClientIdPerMinute,
                PUBLISHES_PER_SECOND, SLOW_READER_TIMEOUT, CONNECTIONS_PER_SOURCE);
    }

    public ConnectionLimits {
        if (maxMessageBytes < 1024 || inflightWindow < 1 || outboundQueue < 1 || connectsPerClientIdPerMinute < 1
                || maxKeepAliveSeconds < 1 || connectTimeout.isNegative() || connectTimeout.isZero() || publishesPerSecond < 0
                || slowReaderTimeout.isNegative() || slowReaderTimeout.isZero() || connectionsPerSource < 0) {
            throw new IllegalArgumentException("invalid connection limits: " + this);
        }
    }

    public ConnectionLimits withConnectsPerClientIdPerMinute(int n) {
        return new ConnectionLimits(maxMessageBytes, connectTimeout, maxKeepAliveSeconds, inflightWindow, outboundQueue, n,
                publishesPerSecond, slowReaderTimeout, connectionsPerSource);
    }

    public ConnectionLimits withMaxMessageBytes(int n) {
        return new ConnectionLimits(n, connectTimeout, maxKeepAliveSeconds, inflightWindow, outboundQueue, connectsPerClientIdPerMinute,
                publishesPerSecond, slowReaderTimeout, connectionsPerSource);
    }

    /** The publish rate, slow-reader timeout and per-source cap (0: no rate, no cap). */
    public ConnectionLimits withFloodLimits(int publishesPerSecond, Duration slowReaderTimeout, int connectionsPerSource) {
        return new ConnectionLimits(maxMessageBytes, connectTimeout, maxKeepAliveSeconds, inflightWindow, outboundQueue,
                connectsPerClientIdPerMinute, publishesPerSecond, slowReaderTimeout, connectionsPerSource);
    }
}
