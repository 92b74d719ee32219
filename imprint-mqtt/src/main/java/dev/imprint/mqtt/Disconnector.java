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
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.AttributeKey;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one disconnect path (HiveMQ's {@code MqttServerDisconnector}): every refusal and every
 * ended connection goes through {@link #disconnect}, which sends the CONNACK when there is
 * one to send (on MQTT 5, a DISCONNECT after the CONNACK, both with the reason code from
 * {@link Mqtt5Reasons} and a Reason String naming ours), logs one line with the stable reason code, counts it in
 * {@code imprint.mqtt.disconnects{server,reason}}, and closes. The first reason wins; later
 * calls for the same channel do nothing.
 */
public final class Disconnector {
    private static final Logger LOG = LoggerFactory.getLogger(Disconnector.class);
    private static final AttributeKey<String> REASON = AttributeKey.valueOf("imprint.mqtt.disconnectReason");
    /** When the connection's last refusal was logged, and how many since were not. */
    private static final AttributeKey<long[]> REFUSAL_LOG = AttributeKey.valueOf("imprint.mqtt.refusalLog");
    /** Set on an MQTT 5 connection: FALSE once its CONNECT was read, TRUE once its CONNACK accepted it. */
    private static final AttributeKey<Boolean> MQTT5 = AttributeKey.valueOf("imprint.mqtt.v5");
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
        Boolean v5 = ch.attr(MQTT5).get();
        MqttConnectReturnCode sent = connack == null || v5 == null ? connack : Mqtt5Reasons.connack(reason, connack);
        if (ORDINARY.contains(reason)) {
            LOG.debug("event=mqtt.disconnect server={} client={} remote={} reason={} msg=\"{}\"", server, LogSafe.token(clientId), ProxiedAddress.remoteOf(ch), reason, LogSafe.of(detail));
        } else {
            LOG.info("event=mqtt.disconnect server={} client={} remote={} reason={} connack={} msg=\"{}\"", server, LogSafe.token(clientId),
                    ProxiedAddress.remoteOf(ch), reason, sent == null ? "-" : sent.name(), LogSafe.of(detail));
        }
        if (meters != null) {
            meters.counter("imprint.mqtt.disconnects", "server", server, "reason", reason).increment();
        }
        if (connack != null && ch.isActive()) {
            MqttConnAckMessage ack = v5 == null
                    ? new MqttConnAckMessage(new MqttFixedHeader(MqttMessageType.CONNACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                            new MqttConnAckVariableHeader(connack, false))
                    : MqttMessageBuilders.connAck().returnCode(sent)
                            .properties(Mqtt5Reasons.reasonString(reason)).build();
            ch.writeAndFlush(ack).addListener(ChannelFutureListener.CLOSE);
        } else if (Boolean.TRUE.equals(v5) && ch.isActive() && !Mqtt5Reasons.SILENT.contains(reason)) {
            ch.writeAndFlush(MqttMessageBuilders.disconnect().reasonCode(Mqtt5Reasons.disconnect(reason))
                    .properties(Mqtt5Reasons.reasonString(reason)).build()).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }

    /**
     * A connection refused as it was accepted, before it was set up (no channel to write to or
     * close through): logged and counted like {@link #disconnect}.
     */
    void refusedAtAccept(java.net.SocketAddress peer, String reason, String detail) {
        LOG.info("event=mqtt.disconnect server={} client=- remote={} reason={} connack=- msg=\"{}\"", server, peer, reason, LogSafe.of(detail));
        if (meters != null) {
            meters.counter("imprint.mqtt.disconnects", "server", server, "reason", reason).increment();
        }
    }

    /**
     * A refusal that does not end the connection (an MQTT 5 PUBACK with a reason code): logged
     * and counted in {@code imprint.mqtt.refusals{server,packet,reason}}.
     */
    public void refused(Channel ch, String packet, String reason, String clientId, String detail) {
        if (meters != null) {
            meters.counter("imprint.mqtt.refusals", "server", server, "packet", packet, "reason", reason).increment();
        }
        // one line a second per connection at most: a device refused hundreds of times a second must not flood the log
        long now = System.nanoTime();
        long[] last = ch.attr(REFUSAL_LOG).setIfAbsent(new long[] {now - 2_000_000_000L, 0});
        last = last == null ? ch.attr(REFUSAL_LOG).get() : last;
        if (now - last[0] < 1_000_000_000L) {
            last[1]++;
            return;
        }
        String more = last[1] == 0 ? "" : " (and " + last[1] + " more refusals in the last second, not logged)";
        last[0] = now;
        last[1] = 0;
        LOG.info("event=mqtt.refused server={} client={} remote={} packet={} reason={} msg=\"{}\"", server, LogSafe.token(clientId),
                ProxiedAddress.remoteOf(ch), packet, reason, LogSafe.of(detail) + more);
    }

    /** The channel's CONNECT was MQTT 5: refusals answer in its terms. */
    static void mqtt5Connecting(Channel ch) {
        ch.attr(MQTT5).set(Boolean.FALSE);
    }

    /** The channel's MQTT 5 CONNACK accepted it: ends are announced with a DISCONNECT. */
    static void mqtt5Connected(Channel ch) {
        ch.attr(MQTT5).set(Boolean.TRUE);
    }

    /** The reason the channel was closed with, null while open or when closed by the peer. */
    public static String reasonOf(Channel ch) {
        return ch.attr(REASON).get();
    }
}
