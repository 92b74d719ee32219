package dev.imprint.device.cloud;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubAckMessage;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One MQTT 3.1.1 session with a hub over mutual TLS, in the Azure IoT Hub dialect: client ID =
 * device ID, username {@code {hub}/{deviceId}/?api-version=2020-09-30}, subscriptions to
 * cloud-to-device messages, direct methods and twin answers/desired updates; telemetry as QoS 1
 * publishes on {@code devices/{id}/messages/events/}. Connected once the subscriptions are
 * acknowledged (as the Azure SDK's {@code open()}).
 */
final class HubConnection implements Session {
    static final String API_VERSION = "2020-09-30";

    private final Channel channel;
    private final String deviceId;
    private final InFlight unacked = new InFlight();
    private final Map<String, CompletableFuture<TwinAnswer>> twinCalls = new ConcurrentHashMap<>();
    private final AtomicInteger rid = new AtomicInteger();
    private volatile boolean closing;

    private HubConnection(Channel channel, String deviceId) {
        this.channel = channel;
        this.deviceId = deviceId;
    }

    /**
     * Connects, authenticates with {@code identity}, subscribes. Fails with a CloudException:
     * CONNACK_NOT_AUTHORIZED / CONNACK_BAD_CREDENTIALS / CONNACK_... (permanent for this
     * credential), or CLOSED, TLS_FAILED, UNREACHABLE, TIMEOUT (transient).
     */
    static CompletableFuture<HubConnection> connect(DeviceRuntime rt, URI endpoint, String hubHostname, Identity identity,
            String deviceId, CloudConfig config, Session.Inbound inbound, Duration timeout) {
        return Mqtt.session(rt, endpoint, Tls.client(identity, config.trust()), timeout,
                (ch, done) -> new HubConnection(ch, deviceId).new Handler(hubHostname, done, inbound));
    }

    /** Publishes telemetry at QoS 1; completes at the hub's PUBACK, fails if the connection ends first. */
    @Override
    public CompletableFuture<Void> sendTelemetry(String properties, byte[] body) {
        return publishQos1("devices/" + deviceId + "/messages/events/" + (properties == null ? "" : properties), body);
    }

    /**
     * Reported properties patch; completes with the new reported version (-1 when the hub gave
     * none), fails with TWIN_STATUS_{n} on a refusal, CLOSED or TIMEOUT.
     */
    @Override
    public CompletableFuture<Long> reportProperties(String jsonPatch, Duration timeout) {
        return twinCall("$iothub/twin/PATCH/properties/reported/?$rid=", jsonPatch.getBytes(StandardCharsets.UTF_8), timeout)
                .thenApply(a -> {
                    String v = Mqtt.param(a.topic(), "$version");
                    return v.isEmpty() ? -1L : Long.parseLong(v);
                });
    }

    /** The whole twin: JSON with desired and reported; fails as {@link #reportProperties}. */
    @Override
    public CompletableFuture<byte[]> getTwin(Duration timeout) {
        return twinCall("$iothub/twin/GET/?$rid=", new byte[0], timeout).thenApply(TwinAnswer::body);
    }

    private record TwinAnswer(String topic, byte[] body) {}

    private CompletableFuture<TwinAnswer> twinCall(String topicPrefix, byte[] body, Duration timeout) {
        String r = Integer.toString(rid.incrementAndGet());
        CompletableFuture<TwinAnswer> f = new CompletableFuture<>();
        twinCalls.put(r, f);
        publishQos1(topicPrefix + r, body).whenComplete((v, t) -> {
            if (t != null) {
                twinCalls.remove(r);
                f.completeExceptionally(t);
            }
        });
        return f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((a, t) -> twinCalls.remove(r))
                .exceptionallyCompose(t -> CompletableFuture.failedFuture(CloudException.of(t)));
    }

    private CompletableFuture<Void> publishQos1(String topic, byte[] body) {
        return unacked.publish(channel, id -> Mqtt.publish(topic, MqttQoS.AT_LEAST_ONCE, id, body));
    }

    int inFlight() {
        return unacked.size();
    }

    @Override
    public boolean active() {
        return channel.isActive() && !closing;
    }

    /** Sends DISCONNECT and closes. */
    @Override
    public CompletableFuture<Void> close() {
        closing = true;
        return Mqtt.disconnect(channel, Mqtt.simple(MqttMessageType.DISCONNECT));
    }

    private final class Handler extends Mqtt.ClientHandler<HubConnection> {
        private final String hubHostname;
        private final Session.Inbound inbound;

        Handler(String hubHostname, CompletableFuture<HubConnection> done, Session.Inbound inbound) {
            super(done);
            this.hubHostname = hubHostname;
            this.inbound = inbound;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // CONNECT goes out after the handshake; the SslHandler buffers it until then
            ctx.writeAndFlush(Mqtt.connect(deviceId,
                    hubHostname + "/" + deviceId + "/?api-version=" + API_VERSION + "&DeviceClientType=imprint-device%2F0.1", false, 120));
        }

        @Override
        void read(ChannelHandlerContext ctx, MqttMessage m) {
            switch (m.fixedHeader().messageType()) {
                case CONNACK -> connack(ctx, (MqttConnAckMessage) m);
                case SUBACK -> done.complete(HubConnection.this);
                case PUBACK -> {
                    CompletableFuture<Void> f = unacked.acked(((MqttPubAckMessage) m).variableHeader().messageId());
                    if (f != null) {
                        f.complete(null);
                    }
                }
                case PUBLISH -> publish(ctx, (MqttPublishMessage) m);
                default -> { }
            }
        }

        private void connack(ChannelHandlerContext ctx, MqttConnAckMessage ack) {
            MqttConnectReturnCode rc = ack.variableHeader().connectReturnCode();
            if (rc != MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                fail(ctx, CloudException.refused(Mqtt.connackCode(rc), "the hub refused the connection (" + rc + ")"));
                return;
            }
            ctx.writeAndFlush(MqttMessageBuilders.subscribe().messageId(unacked.nextPacketId())
                    .addSubscription(MqttQoS.AT_LEAST_ONCE, "devices/" + deviceId + "/messages/devicebound/#")
                    .addSubscription(MqttQoS.AT_MOST_ONCE, "$iothub/methods/POST/#")
                    .addSubscription(MqttQoS.AT_MOST_ONCE, "$iothub/twin/res/#")
                    .addSubscription(MqttQoS.AT_MOST_ONCE, "$iothub/twin/PATCH/properties/desired/#").build());
        }

        private void publish(ChannelHandlerContext ctx, MqttPublishMessage p) {
            String topic = p.variableHeader().topicName();
            byte[] body = ByteBufUtil.getBytes(p.content());
            MqttPubAckMessage ack = Mqtt.pubAckFor(p);
            if (ack != null) {
                ctx.writeAndFlush(ack);
            }
            String c2d = "devices/" + deviceId + "/messages/devicebound/";
            if (topic.startsWith(c2d)) {
                inbound.cloudToDevice(topic.substring(c2d.length()), body);
            } else if (topic.startsWith("$iothub/methods/POST/")) {
                String rest = topic.substring("$iothub/methods/POST/".length());
                String name = rest.substring(0, Math.max(0, rest.indexOf('/')));
                String r = Mqtt.param(rest, "$rid");
                inbound.method(name, body).whenComplete((res, t) -> {
                    int status = t == null ? res.getKey() : 500;
                    String payload = t == null ? res.getValue() : "{\"error\":\"" + t.getClass().getSimpleName() + "\"}";
                    ctx.writeAndFlush(Mqtt.publish("$iothub/methods/res/" + status + "/?$rid=" + r, MqttQoS.AT_MOST_ONCE, 0,
                            payload.getBytes(StandardCharsets.UTF_8)));
                });
            } else if (topic.startsWith("$iothub/twin/res/")) {
                CompletableFuture<TwinAnswer> f = twinCalls.remove(Mqtt.param(topic, "$rid"));
                if (f != null) {
                    int status = Mqtt.status(topic, "$iothub/twin/res/");
                    if (status / 100 == 2) {
                        f.complete(new TwinAnswer(topic, body));
                    } else {
                        f.completeExceptionally(CloudException.transientFailure("TWIN_STATUS_" + status,
                                "the hub answered " + status + ": " + new String(body, StandardCharsets.UTF_8)));
                    }
                }
            } else if (topic.startsWith("$iothub/twin/PATCH/properties/desired/")) {
                inbound.desired(body);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            CloudException w = why("the hub");
            done.completeExceptionally(w);
            unacked.failAll(w);
            twinCalls.values().forEach(f -> f.completeExceptionally(w));
            if (done.isDone() && !done.isCompletedExceptionally() && !closing) {
                inbound.closed(w);
            }
        }
    }
}
