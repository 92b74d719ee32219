package dev.imprint.kafka;

import java.time.Duration;
import java.util.Objects;

/**
 * Where and how Imprint writes to Kafka.
 *
 * @param bootstrap {@code bootstrap.servers} of the cluster
 * @param telemetryTopic device-to-cloud messages, key = device ID
 * @param eventsTopic device lifecycle events, key = device ID
 * @param ackTimeout how long a QoS 1 PUBACK may wait for Kafka (the producer's delivery timeout);
 *     past it the message fails and the device's session ends with {@code KAFKA_UNAVAILABLE}
 */
public record KafkaSettings(String bootstrap, String telemetryTopic, String eventsTopic, Duration ackTimeout) {
    public static final String DEFAULT_TELEMETRY_TOPIC = "imprint.telemetry";
    public static final String DEFAULT_EVENTS_TOPIC = "imprint.events";
    public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(60);

    public KafkaSettings {
        Objects.requireNonNull(bootstrap, "bootstrap");
        Objects.requireNonNull(telemetryTopic, "telemetryTopic");
        Objects.requireNonNull(eventsTopic, "eventsTopic");
        if (ackTimeout.toMillis() < 2_000) {
            throw new IllegalArgumentException("kafka ack timeout must be at least 2 s, not " + ackTimeout);
        }
    }

    /** Default topics and timeout. */
    public static KafkaSettings of(String bootstrap) {
        return new KafkaSettings(bootstrap, DEFAULT_TELEMETRY_TOPIC, DEFAULT_EVENTS_TOPIC, DEFAULT_ACK_TIMEOUT);
    }

    public KafkaSettings withAckTimeout(Duration d) {
        return new KafkaSettings(bootstrap, telemetryTopic, eventsTopic, d);
    }
}
