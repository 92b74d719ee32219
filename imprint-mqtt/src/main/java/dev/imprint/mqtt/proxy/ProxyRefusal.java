package dev.imprint.mqtt.proxy;

import io.netty.channel.Channel;

/**
 * Ends a connection the gate refuses: each listener's own disconnect path (the MQTT
 * {@code Disconnector}, or a log line plus counter for HTTPS), so the refusal is logged with its
 * reason code and counted like the listener's other refusals. Called on the channel's event loop;
 * must close the channel.
 */
@FunctionalInterface
public interface ProxyRefusal {
    void refuse(Channel ch, ProxyReason reason, String detail);
}
