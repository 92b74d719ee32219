package dev.imprint.hub;

import dev.imprint.mqtt.MqttConnection;
import dev.imprint.mqtt.MqttRefusal;
import dev.imprint.mqtt.PublishProperties;
import dev.imprint.mqtt.TopicPolicy;
import dev.imprint.pki.LogSafe;
import dev.imprint.shadow.ShadowError;
import dev.imprint.shadow.ShadowMessage;
import dev.imprint.shadow.Shadows;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thing's live session on the AWS endpoint: telemetry on its own topics, and its Device
 * Shadow requests answered by {@link Shadows}. Authorization is {@link AwsTopics}'s default
 * policy plus the enrollment's {@link TopicPolicy} (its topics are telemetry like {@code dt/}): a publish elsewhere is refused FOREIGN_TOPIC (PUBACK 0x87 on MQTT 5, the session ends on
 * 3.1.1 as on the Azure dialect), a filter elsewhere gets SUBACK 0x80 (0x87). A shadow answer goes
 * only to this connection, and only when it subscribed to the answer's topic; events (delta,
 * documents) go to the thing's own subscribing session, the only one that may subscribe to them.
 * No cloud-to-device queue, desired pushes or direct methods: the shadow carries them.
 */
final class AwsSession extends DeviceSession {
    private static final Logger LOG = LoggerFactory.getLogger(AwsSession.class);
    /** AWS answers 429 beyond this many shadow requests in flight on one connection. */
    private static final int SHADOW_IN_FLIGHT = 10;
    /** Provisioning requests a connection may have unanswered: each may cost an issuance. */
    private static final int PROVISIONING_IN_FLIGHT = 2;

    private final Shadows shadows;
    private final AwsTopics topics;
    private final Map<String, Integer> filters = new ConcurrentHashMap<>();
    private final AtomicInteger shadowsInFlight = new AtomicInteger();
    private final FleetProvisioning fleet;
    private final List<X509Certificate> path;
    /** Fleet provisioning requests of this connection not yet answered (AWS's identity client sends one at a time). */
    private final AtomicInteger provisioningInFlight = new AtomicInteger();

    AwsSession(Hub hub, String deviceId, String serial, String enrollment, Instant notAfter, MqttConnection conn, Shadows shadows,
            FleetProvisioning fleet, List<X509Certificate> path, TopicPolicy policy) {
        super(hub, deviceId, serial, enrollment, notAfter, conn);
        this.shadows = shadows;
        this.fleet = fleet;
        this.path = List.copyOf(path);
        this.topics = new AwsTopics(deviceId, policy);
    }

    @Override
    public CompletionStage<Void> onPublish(String topic, int qos, byte[] payload, PublishProperties mqtt5) {
        seen();
        return switch (topics.publishKind(topic)) {
            case TELEMETRY -> telemetry(qos, payload, TelemetryProperties.merge(Map.of(AwsTopics.TOPIC_PROPERTY, topic), mqtt5));
            case SHADOW_REQUEST -> shadowRequest(topic, payload);
            case PROVISIONING -> provisioning(topic, payload);
            case FOREIGN -> throw new MqttRefusal("FOREIGN_TOPIC", "thing " + deviceId + " published to '" + topic
                    + "', outside its policy (dt/" + deviceId + "/#, things/" + deviceId + "/#, its shadow topics, its enrollment's filters)");
        };
    }

    /** PUBACK at once, the answer when the store has it (as AWS does: the answer is the real acknowledgement). */
    private CompletionStage<Void> shadowRequest(String topic, byte[] payload) {
        if (shadowsInFlight.incrementAndGet() > SHADOW_IN_FLIGHT) {
            shadowsInFlight.decrementAndGet();
            deliver(List.of(shadows.rejection(topic, payload, ShadowError.THROTTLED)));
            return DONE;
        }
        hub.io(() -> shadows.handle(deviceId, topic, payload)).whenComplete((out, e) -> {
            shadowsInFlight.decrementAndGet();
            if (e != null) {
                LOG.warn("event=hub.shadow_failed hub={} device={} reason=STORE_UNAVAILABLE msg=\"{}\"", hub.name(), deviceId, e.toString());
                deliver(List.of(shadows.rejection(topic, payload, ShadowError.INTERNAL)));
            } else {
                deliver(out);
            }
        });
        return DONE;
    }

    /**
     * PUBACK at once, the answer when the CA and the provisioning service gave it, to this
     * connection only: another device subscribed to the same answer topic never sees it.
     */
    private CompletionStage<Void> provisioning(String topic, byte[] payload) {
        if (provisioningInFlight.incrementAndGet() > PROVISIONING_IN_FLIGHT) {
            provisioningInFlight.decrementAndGet();
            throw new MqttRefusal("QUOTA_EXCEEDED", "thing " + deviceId + " has " + PROVISIONING_IN_FLIGHT + " provisioning requests in flight");
        }
        hub.io(() -> fleet.handle(hub.store().audit(), hub.meters(), deviceId, path, topic, payload)).whenComplete((reply, e) -> {
            provisioningInFlight.decrementAndGet();
            if (e != null) {
                LOG.warn("event=aws.provisioning_failed hub={} device={} reason=INTERNAL_ERROR msg=\"{}\"", hub.name(), deviceId, e.toString());
            } else {
                answer(reply.topic(), reply.payload());
            }
        });
        return DONE;
    }

    /** An answer to this connection's own request, where it subscribed. */
    private void answer(String topic, byte[] payload) {
        if (subscribedQos(topic) < 0) {
            LOG.debug("event=hub.answer_unsubscribed hub={} device={} topic={}", hub.name(), deviceId, topic);
        } else {
            conn.reply(topic, payload);
        }
    }

    /** Sends shadow messages to this connection where it subscribed: answers as replies, events at the subscription's QoS. */
    void deliver(List<ShadowMessage> messages) {
        for (ShadowMessage m : messages) {
            int qos = subscribedQos(m.topic());
            if (qos < 0) {
                LOG.debug("event=hub.shadow_unsubscribed hub={} device={} topic={}", hub.name(), deviceId, m.topic());
            } else if (m.toRequester()) {
                conn.reply(m.topic(), m.payload());
            } else {
                conn.publish(m.topic(), qos, m.payload());
            }
        }
    }

    private int subscribedQos(String topic) {
        int qos = -1;
        for (Map.Entry<String, Integer> f : filters.entrySet()) {
            if (AwsTopics.matches(f.getKey(), topic)) {
                qos = Math.max(qos, f.getValue());
            }
        }
        return qos;
    }

    @Override
    public List<Integer> onSubscribe(List<Subscription> requested) {
        List<Integer> granted = new ArrayList<>();
        for (Subscription s : requested) {
            if (topics.maySubscribe(s.filter())) {
                filters.put(s.filter(), Math.min(1, s.qos()));
                granted.add(Math.min(1, s.qos()));
            } else {
                LOG.info("event=hub.subscribe_refused hub={} device={} filter=\"{}\" reason=FOREIGN_TOPIC", hub.name(), deviceId,
                        LogSafe.of(s.filter()));
                granted.add(0x80);
            }
        }
        return granted;
    }

    @Override
    public void onUnsubscribe(List<String> unsubscribed) {
        unsubscribed.forEach(filters::remove);
    }

    @Override
    void deliverC2d() {
        // no cloud-to-device queue in the AWS dialect: the back end publishes through the shadow
    }

    @Override
    void desiredFrom(java.util.function.LongSupplier twinVersion) {
        // no Azure desired pushes here: nothing to start from
    }

    @Override
    void pushDesired(long version, String patchJson) {
        // the shadow service publishes the delta itself (ShadowEvents.publish)
    }

    @Override
    CompletableFuture<MethodResult> invoke(String name, byte[] payload, Duration timeout) {
        return CompletableFuture.failedFuture(new HubException("DEVICE_OFFLINE", 404,
                "device " + deviceId + " is connected through the AWS dialect, which has no direct methods"));
    }
}
