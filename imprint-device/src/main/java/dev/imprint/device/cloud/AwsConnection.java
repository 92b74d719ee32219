package dev.imprint.device.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubAckMessage;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One MQTT 5 session with an AWS IoT Core-compatible endpoint over mutual TLS, as the AWS IoT
 * Device SDK v2 holds it: client ID = thing name, the SDK's metrics string as username (a server
 * ignores it), no password. Subscribes to the answer topics it is given, then carries AWS's
 * request/response calls ({@link #call}: a QoS 1 request, the answer on {@code <request>/accepted}
 * or {@code /rejected}, matched by topic and {@code clientToken}), telemetry on {@code dt/<thing>/telemetry}
 * with the application properties as MQTT 5 user properties, and shadow deltas to {@link Session.Inbound#desired}.
 * The wire shapes are {@link AwsWire}'s.
 */
final class AwsConnection implements Session {
    /** What the SDK's MQTT 5 builder sends as username; AWS reads it as metrics, never as a credential. */
    static final String USERNAME = "?SDK=imprint-device&Version=0.1";

    private final Channel channel;
    private final String thing;
    private final Session.Inbound inbound;
    private final AtomicInteger tokens = new AtomicInteger();
    private final InFlight unacked = new InFlight();
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private volatile boolean closing;

    private AwsConnection(Channel channel, String thing, Session.Inbound inbound) {
        this.channel = channel;
        this.thing = thing;
        this.inbound = inbound;
    }

    /**
     * Connects as {@code thing} with {@code identity} and subscribes to {@code filters}. Fails with
     * a CloudException: a refused CONNECT is permanent, CONNACK_NOT_AUTHORIZED and the like, or,
     * when {@code reasonAsCode}, the server's own reason (the MQTT 5 reason string: REVOKED ...);
     * SUBSCRIBE_REFUSED, TLS_FAILED, UNREACHABLE, CLOSED, TIMEOUT are transient.
     *
     * @param inbound null while provisioning (nothing but answers is expected)
     */
    static CompletableFuture<AwsConnection> open(DeviceRuntime rt, URI endpoint, Identity identity, List<X509Certificate> trust,
            String thing, List<String> filters, boolean reasonAsCode, Session.Inbound inbound, Duration timeout) {
        return Mqtt.session(rt, endpoint, Tls.client(identity, trust), timeout,
                (ch, done) -> new AwsConnection(ch, thing, inbound).new Handler(done, filters, reasonAsCode));
    }

    @Override
    public CompletableFuture<Void> sendTelemetry(String properties, byte[] body) {
        return publish(AwsWire.telemetryTopic(thing), AwsWire.userProperties(properties), body);
    }

    @Override
    public CompletableFuture<Long> reportProperties(String jsonPatch, Duration timeout) {
        String token = token();
        byte[] body;
        try {
            body = AwsWire.shadowUpdate(jsonPatch, token);
        } catch (CloudException e) {
            return CompletableFuture.failedFuture(e);
        }
        return call(AwsWire.shadow(thing) + "/update", token, body, timeout)
                .thenApply(a -> a.path("version").asLong(-1));
    }

    /** The classic shadow as a twin; a shadow not made yet (404) is an empty twin, as a new Azure device's. */
    @Override
    public CompletableFuture<byte[]> getTwin(Duration timeout) {
        String token = token();
        return call(AwsWire.shadow(thing) + "/get", token, AwsWire.tokenOnly(token), timeout)
                .thenApply(AwsWire::twinOfShadow)
                .exceptionallyCompose(t -> "SHADOW_STATUS_404".equals(CloudException.of(t).code())
                        ? CompletableFuture.completedFuture("{}".getBytes(StandardCharsets.UTF_8))
                        : CompletableFuture.failedFuture(CloudException.of(t)));
    }

    /**
     * A request on {@code topic}; completes with the {@code /accepted} body, fails with the
     * {@code /rejected} one ({@link AwsWire#rejection}), CLOSED or TIMEOUT. {@code token} is
     * the request's {@code clientToken}, "" for fleet provisioning (whose answers carry none: one
     * request per topic at a time, as the SDK's identity client).
     */
    CompletableFuture<JsonNode> call(String topic, String token, byte[] body, Duration timeout) {
        String key = topic + "\n" + token;
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        if (pending.putIfAbsent(key, f) != null) {
            return CompletableFuture.failedFuture(CloudException.transientFailure("BUSY", "a request on " + topic + " is in flight"));
        }
        publish(topic, MqttProperties.NO_PROPERTIES, body).whenComplete((v, t) -> {
            if (t != null) {
                pending.remove(key, f);
                f.completeExceptionally(t);
            }
        });
        return f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((a, t) -> pending.remove(key, f))
                .exceptionallyCompose(t -> CompletableFuture.failedFuture(CloudException.of(t)));
    }

    private String token() {
        return thing + "-" + tokens.incrementAndGet();
    }

    private CompletableFuture<Void> publish(String topic, MqttProperties props, byte[] body) {
        return unacked.publish(channel, id -> new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE,
                false, 0), new MqttPublishVariableHeader(topic, id, props), Unpooled.wrappedBuffer(body)));
    }

    @Override
    public boolean active() {
        return channel.isActive() && !closing;
    }

    @Override
    public CompletableFuture<Void> close() {
        closing = true;
        return Mqtt.disconnect(channel, MqttMessageBuilders.disconnect().reasonCode((byte) 0).build());
    }

    private final class Handler extends Mqtt.ClientHandler<AwsConnection> {
        private final List<String> filters;
        private final boolean reasonAsCode;

        Handler(CompletableFuture<AwsConnection> done, List<String> filters, boolean reasonAsCode) {
            super(done);
            this.filters = filters;
            this.reasonAsCode = reasonAsCode;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // the SslHandler holds CONNECT until the handshake is done; AWS clamps keep-alive to 30..1200 s
            ctx.writeAndFlush(MqttMessageBuilders.connect().clientId(thing).protocolVersion(MqttVersion.MQTT_5).cleanSession(true)
                    .keepAlive(2 * Mqtt.PING_AFTER_SECONDS).username(USERNAME).build());
        }

        @Override
        void read(ChannelHandlerContext ctx, MqttMessage m) {
            switch (m.fixedHeader().messageType()) {
                case CONNACK -> connack(ctx, (MqttConnAckMessage) m);
                case SUBACK -> {
                    if (((MqttSubAckMessage) m).payload().reasonCodes().stream().anyMatch(c -> c >= 0x80)) {
                        fail(ctx, CloudException.transientFailure("SUBSCRIBE_REFUSED", "the endpoint refused a subscription of " + filters));
                    } else {
                        done.complete(AwsConnection.this);
                    }
                }
                case PUBACK -> puback((MqttPubAckMessage) m);
                case PUBLISH -> publish(ctx, (MqttPublishMessage) m);
                case DISCONNECT -> disconnect(ctx, m);
                default -> { }
            }
        }

        private void connack(ChannelHandlerContext ctx, MqttConnAckMessage ack) {
            MqttConnectReturnCode rc = ack.variableHeader().connectReturnCode();
            if (rc == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                MqttMessageBuilders.SubscribeBuilder s = MqttMessageBuilders.subscribe().messageId(unacked.nextPacketId());
                filters.forEach(f -> s.addSubscription(MqttQoS.AT_LEAST_ONCE, f));
                ctx.writeAndFlush(s.build());
                return;
            }
            String code = AwsWire.connackCode(rc);
            String reason = AwsWire.reasonString(ack.variableHeader().properties());
            String message = "the AWS endpoint refused the connection (" + rc + (reason == null ? "" : ", " + reason) + ")";
            if (code.equals("CONNACK_SERVER_UNAVAILABLE")) {
                fail(ctx, CloudException.transientFailure(code, message));
            } else {
                fail(ctx, CloudException.refused(reasonAsCode && reason != null ? reason : code, message));
            }
        }

        private void puback(MqttPubAckMessage ack) {
            CompletableFuture<Void> f = unacked.acked(ack.variableHeader().messageId());
            if (f == null) {
                return;
            }
            if (ack.variableHeader() instanceof MqttPubReplyMessageVariableHeader v && (v.reasonCode() & 0xFF) >= 0x80) {
                String reason = AwsWire.reasonString(v.properties());
                f.completeExceptionally(CloudException.refused(reason != null ? reason : String.format("PUBACK_0x%02X", v.reasonCode() & 0xFF),
                        "the endpoint refused the publish (reason 0x" + Integer.toHexString(v.reasonCode() & 0xFF) + ")"));
            } else {
                f.complete(null);
            }
        }

        private void publish(ChannelHandlerContext ctx, MqttPublishMessage p) {
            MqttPubAckMessage ack = Mqtt.pubAckFor(p);
            if (ack != null) {
                ctx.writeAndFlush(ack);
            }
            String topic = p.variableHeader().topicName();
            byte[] body = ByteBufUtil.getBytes(p.content());
            if (topic.equals(AwsWire.shadow(thing) + "/update/delta")) {
                if (inbound != null) {
                    inbound.desired(AwsWire.patchOfDelta(body));
                }
                return;
            }
            AwsWire.Answer a = AwsWire.answer(topic, body);
            if (a != null) {
                CompletableFuture<JsonNode> f = pending.remove(a.request() + "\n" + a.token());
                if (f != null) {
                    if (a.accepted()) {
                        f.complete(a.body());
                    } else {
                        f.completeExceptionally(AwsWire.rejection(a.body()));
                    }
                }
            }
        }

        private void disconnect(ChannelHandlerContext ctx, MqttMessage m) {
            String reason = m.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader v ? AwsWire.reasonString(v.properties()) : null;
            fail(ctx, CloudException.transientFailure(reason != null ? reason : "DISCONNECTED", "the endpoint ended the session"));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            CloudException w = why("the AWS endpoint");
            boolean wasUp = done.isDone() && !done.isCompletedExceptionally();
            done.completeExceptionally(w);
            unacked.failAll(w);
            pending.values().forEach(f -> f.completeExceptionally(w));
            if (wasUp && !closing && inbound != null) {
                inbound.closed(w);
            }
        }
    }
}
