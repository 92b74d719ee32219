package dev.imprint.server.hub;

import dev.imprint.hub.HubSettings;
import dev.imprint.kafka.KafkaEgress;
import dev.imprint.server.config.ImprintConfig;
import io.micrometer.core.instrument.MeterRegistry;

/** A hub's telemetry on Kafka when {@code kafka.bootstrap} is set: the egress as its durable step, the store as a window. */
final class KafkaTelemetry {
    private KafkaTelemetry() {}

    static KafkaEgress egress(ImprintConfig.Kafka k, String hub, String node, MeterRegistry meters) {
        return new KafkaEgress(k.settings(), hub, node, meters);
    }

    /** The store keeps {@code kafka.sqlWindowRows} recent messages (the hub's age limit still applies). */
    static HubSettings window(HubSettings s, ImprintConfig.Kafka k) {
        return new HubSettings(s.name(), s.hostname(), s.bindAddress(), s.port(), s.limits(), s.telemetryMaxAge(), k.sqlWindowRows(),
                s.c2dTtl(), s.watchInterval(), s.balancers());
    }
}
