package dev.imprint.server.up;

import dev.imprint.kafka.KafkaEventRelay;
import dev.imprint.server.config.ImprintConfig;
import dev.imprint.store.Store;

/** Device events with {@code kafka.bootstrap} set: every node records them in the outbox, CA nodes relay it to Kafka. */
final class KafkaEvents {
    private KafkaEvents() {}

    /** Nothing at all without Kafka; a no-op to close on a node that only records. */
    static AutoCloseable start(ImprintConfig config, Store store, boolean relay) {
        ImprintConfig.Kafka k = config.kafka();
        if (k == null) {
            return () -> { };
        }
        store.deviceEvents().record(true);
        if (!relay) {
            return () -> { };
        }
        return KafkaEventRelay.start(k.settings(), store.deviceEvents(), config.cluster().node() == null ? "local" : config.cluster().node());
    }
}
