package dev.imprint.mqtt;

import java.time.Duration;

/**
 * Per-connection limits of an {@link MqttTlsServer}; breaking one ends the connection through
 * the {@link Disconnector} with its own reason code.
 *
 * @param maxMessageBytes largest MQTT packet accepted (MESSAGE_TOO_LARGE beyond)
 * @param connectTimeout time from TCP accept to a valid CONNECT (handshake included)
 * @param maxKeepAliveSeconds keep-alives above are capped; 0 from a client means this cap
 * @param inflightWindow unacknowledged QoS 1 messages per session in each direction; inbound
 *     beyond it pauses reading from that client only, outbound beyond it waits in the queue
 * @param outboundQueue messages waiting for a slow client beyond the window; past it the client
 *     is disconnected (SLOW_CONSUMER) rather than letting memory grow
 * @param connectsPerClientIdPerMinute CONNECT attempts allowed per client ID (RATE_LIMITED beyond)
 */
public record ConnectionLimits(int maxMessageBytes, Duration connectTimeout, int maxKeepAliveSeconds,
        int inflightWindow, int outboundQueue, int connectsPerClientIdPerMinute) {

    public static ConnectionLimits defaults() {
        return new ConnectionLimits(256 * 1024, Duration.ofSeconds(10), 1200, 16, 1000, 30);
    }

    public ConnectionLimits {
        if (maxMessageBytes < 1024 || inflightWindow < 1 || outboundQueue < 1 || connectsPerClientIdPerMinute < 1
                || maxKeepAliveSeconds < 1 || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("invalid connection limits: " + this);
        }
    }

    public ConnectionLimits withConnectsPerClientIdPerMinute(int n) {
        return new ConnectionLimits(maxMessageBytes, connectTimeout, maxKeepAliveSeconds, inflightWindow, outboundQueue, n);
    }

    public ConnectionLimits withMaxMessageBytes(int n) {
        return new ConnectionLimits(n, connectTimeout, maxKeepAliveSeconds, inflightWindow, outboundQueue, connectsPerClientIdPerMinute);
    }
}
