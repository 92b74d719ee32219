package dev.imprint.mqtt;

import dev.imprint.pki.LogSafe;
import dev.imprint.mqtt.proxy.ProxiedAddress;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.AttributeKey;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one disconnect path (HiveMQ's {@code MqttServerDisconnector}): every refusal and every
 * ended connection goes through {@link #disconnect}, which sends the CONNACK when there is
 * one to send, logs one line with the stable reason code, counts it in
 * {@code imprint.mqtt.disconnects{server,reason}}, and closes. The first reason wins; later
 * calls for the same channel do nothing.
 */
public final class Disconnector {
    private static final Logger LOG = LoggerFactory.getLogger(Disconnector.class);
    private static final AttributeKey<String> REASON = AttributeKey.valueOf("imprint.mqtt.disconnectReason");
    /** Ordinary ends, logged at debug; everything else is a refusal or a fault, logged at info. */
    private static final Set<String> ORDINARY = Set.of("CLIENT_DISCONNECT", "CONNECTION_LOST", "SERVER_STOPPING");

    private final String server;
    private final MeterRegistry meters;

    public Disconnector(String server, MeterRegistry meters) {
        this.server = server;
        this.meters = meters;
    }

    /**
     * @param connack the CONNACK return code to send first, null when none is due (before or
     *     after the CONNECT phase)
     * @param clientId the client ID, null when not known yet
     */
    public void disconnect(Channel ch, MqttConnectReturnCode connack, String reason, String clientId, String detail) {
        if (!ch.eventLoop().inEventLoop()) {
            ch.eventLoop().execute(() -> disconnect(ch, connack, reason, clientId, detail));
            return;
        }
        if (ch.attr(REASON).setIfAbsent(reason) != null) {
            return;
        }
        if (ORDINARY.contains(reason)) {
            LOG.debug("event=mqtt.disconnect server={} client={} remote={} reason={} msg=\"{}\"", server, LogSafe.token(clientId), ProxiedAddress.remoteOf(ch), reason, LogSafe.of(detail));
        } else {
            LOG.info("event=mqtt.disconnect server={} client={} remote={} reason={} connack={} msg=\"{}\"", server, LogSafe.token(clientId),
                    ProxiedAddress.remoteOf(ch), reason, connack == null ? "-" : connack.name(), LogSafe.of(detail));
        }
        if (meters != null) {
            meters.counter("imprint.mqtt.disconnects", "server", server, "reason", reason).increment();
        }
        if (connack != null && ch.isActive()) {
            MqttConnAckMessage ack = new MqttConnAckMessage(
                    new MqttFixedHeader(MqttMessageType.CONNACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                    new MqttConnAckVariableHeader(connack, false));
            ch.writeAndFlush(ack).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }

    /** The reason the channel was closed with, null while open or when closed by the peer. */
    public static String reasonOf(Channel ch) {
        return ch.attr(REASON).get();
    }
}
