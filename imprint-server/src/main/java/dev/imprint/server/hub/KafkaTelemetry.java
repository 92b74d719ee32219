package dev.imprint.server.hub;

import dev.imprint.hub.HubSettings;
import dev.imprint.hub.telemetry.TelemetryWriter;
import dev.imprint.kafka.KafkaEgress;
import dev.imprint.kafka.KafkaSinkWorker;
import dev.imprint.server.config.ImprintConfig;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * A hub's telemetry on Kafka when {@code kafka.bootstrap} is set: the egress as its durable step,
 * the store as a window, the file and webhook as consumer-group workers.
 */
final class KafkaTelemetry {
    private KafkaTelemetry() {}

    static KafkaEgress egress(ImprintConfig.Kafka k, String hub, String node, MeterRegistry meters) {
        return new KafkaEgress(k.settings(), hub, node, meters);
    }

    /**
     * A hub's file or webhook as a consumer-group worker of the telemetry topic, group {@code
     * imprint-sink-HUB-KIND}: its own committed offsets, so it resumes where it stopped.
     */
    static KafkaSinkWorker worker(ImprintConfig.Kafka k, String hub, String kind, TelemetryWriter writer, MeterRegistry meters) {
        return KafkaSinkWorker.start(k.settings(), groupOf(hub, kind), hub, writer, meters);
    }

    static String groupOf(String hub, String kind) {
        return "imprint-sink-" + hub + "-" + kind;
    }

    /** The store keeps {@code kafka.sqlWindowRows} recent messages (the hub's age limit still applies). */
    static HubSettings window(HubSettings s, ImprintConfig.Kafka k) {
        return new HubSettings(s.name(), s.hostname(), s.bindAddress(), s.port(), s.limits(), s.telemetryMaxAge(), k.sqlWindowRows(),
                s.c2dTtl(), s.watchInterval(), s.balancers());
    }
}
