package dev.imprint.mqtt;

import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;

/**
 * What an MQTT 5 client asked for in its CONNECT properties, and what this server answers in
 * the CONNACK's. Honest about what works: QoS 0 and 1, no retained messages, wildcard filters
 * (the Azure dialect subscribes with {@code #}, only on the device's own topics), no shared
 * subscriptions, no subscription identifiers, no topic aliases, no session kept after the
 * connection (sessions are not persistent: Session Expiry Interval is answered 0).
 *
 * @param receiveMaximum QoS 1 publishes the client accepts unacknowledged (65535 when absent)
 * @param maximumPacketSize the largest packet the client accepts (0: no limit)
 * @param problemInformation whether the client accepts Reason Strings on PUBACK and SUBACK
 * @param sessionExpiry the Session Expiry Interval the client asked for, seconds
 * @param authenticationMethod enhanced authentication asked for, null when not (none is supported)
 */
record Mqtt5Connect(int receiveMaximum, long maximumPacketSize, boolean problemInformation, long sessionExpiry,
        String authenticationMethod) {

    static Mqtt5Connect of(MqttProperties p) {
        return new Mqtt5Connect(
                intOr(p, MqttProperties.RECEIVE_MAXIMUM, 65535),
                Integer.toUnsignedLong(intOr(p, MqttProperties.MAXIMUM_PACKET_SIZE, 0)),
                intOr(p, MqttProperties.REQUEST_PROBLEM_INFORMATION, 1) != 0,
                Integer.toUnsignedLong(intOr(p, MqttProperties.SESSION_EXPIRY_INTERVAL, 0)),
                p.getProperty(MqttProperties.AUTHENTICATION_METHOD) instanceof MqttProperties.StringProperty s ? s.value() : null);
    }

    /** The outbound window: ours, or the client's Receive Maximum when smaller. */
    int window(ConnectionLimits limits) {
        return Math.max(1, Math.min(limits.inflightWindow(), receiveMaximum));
    }

    /**
     * The CONNACK properties.
     *
     * @param requestedKeepAlive the client's keep-alive; when ours differs it is sent as Server Keep Alive
     */
    MqttProperties connack(ConnectionLimits limits, int requestedKeepAlive, int effectiveKeepAlive) {
        MqttMessageBuilders.ConnAckPropertiesBuilder b = new MqttMessageBuilders.ConnAckPropertiesBuilder()
                .receiveMaximum(limits.inflightWindow())
                .maximumPacketSize(limits.maxMessageBytes())
                .topicAliasMaximum(0)
                .maximumQos((byte) 1)
                .retainAvailable(false)
                .wildcardSubscriptionAvailable(true)
                .subscriptionIdentifiersAvailable(false)
                .sharedSubscriptionAvailable(false);
        if (requestedKeepAlive != effectiveKeepAlive) {
            b.serverKeepAlive(effectiveKeepAlive);
        }
        if (sessionExpiry != 0) {
            // nothing of a session outlives its connection here (the C2D queue is the device's, not the session's)
            b.sessionExpiryInterval(0);
        }
        return b.build();
    }

    private static int intOr(MqttProperties p, int id, int absent) {
        return p.getProperty(id) instanceof MqttProperties.IntegerProperty i ? i.value() : absent;
    }
}
