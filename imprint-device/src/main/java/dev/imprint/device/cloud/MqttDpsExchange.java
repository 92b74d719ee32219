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
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * DPS over MQTT 3.1.1 with mutual TLS, as the Azure DPS device API has it: client ID =
 * registration ID, username {@code {idScope}/registrations/{id}/api-version=2021-06-01}, no
 * password; subscribe {@code $dps/registrations/res/#} (QoS 1); requests are QoS 0 publishes to
 * {@code $dps/registrations/PUT/iotdps-register/?$rid=n} and
 * {@code $dps/registrations/GET/iotdps-get-operationstatus/?$rid=n&operationId=op}; answers come on
 * {@code $dps/registrations/res/{status}/?$rid=n&retry-after=s}, matched by {@code $rid}, with
 * the same JSON bodies as HTTPS.
 */
final class MqttDpsExchange implements DpsExchange {
    static final String RESPONSES = "$dps/registrations/res/";

    private final Channel channel;
    private final Duration timeout;
    private final AtomicInteger rid = new AtomicInteger();
    private final Map<String, CompletableFuture<Answer>> pending = new ConcurrentHashMap<>();

    private MqttDpsExchange(Channel channel, Duration timeout) {
        this.channel = channel;
        this.timeout = timeout;
    }

    /**
     * Connects and subscribes; fails with CONNACK_NOT_AUTHORIZED / CONNACK_BAD_CREDENTIALS /
     * CONNACK_IDENTIFIER_REJECTED (permanent), CONNACK_SERVER_UNAVAILABLE, SUBSCRIBE_REFUSED,
     * TLS_FAILED, UNREACHABLE, CLOSED or TIMEOUT (transient).
     */
    static CompletableFuture<DpsExchange> open(DeviceRuntime rt, CloudConfig config, Identity identity, String registrationId,
            Duration timeout) {
        String username = config.idScope() + "/registrations/" + registrationId + "/api-version=" + DpsClient.API_VERSION;
        return Mqtt.session(rt, config.dpsMqtt(), Tls.client(identity, config.trust()), timeout,
                (ch, done) -> new MqttDpsExchange(ch, timeout).new Handler(registrationId, username, done));
    }

    @Override
    public CompletableFuture<Answer> register(byte[] jsonBody) {
        return request("$dps/registrations/PUT/iotdps-register/?$rid=", "", jsonBody);
    }

    @Override
    public CompletableFuture<Answer> status(String operationId) {
        return request("$dps/registrations/GET/iotdps-get-operationstatus/?$rid=",
                "&operationId=" + URLEncoder.encode(operationId, StandardCharsets.UTF_8), new byte[0]);
    }

    private CompletableFuture<Answer> request(String prefix, String suffix, byte[] body) {
        String r = Integer.toString(rid.incrementAndGet());
        CompletableFuture<Answer> f = new CompletableFuture<>();
        pending.put(r, f);
        if (!channel.isActive()) {
            f.completeExceptionally(CloudException.transientFailure("CLOSED", "DPS closed the connection"));
        }
        channel.writeAndFlush(Mqtt.publish(prefix + r + suffix, MqttQoS.AT_MOST_ONCE, 0, body)).addListener(x -> {
            if (!x.isSuccess()) {
                f.completeExceptionally(CloudException.of(x.cause()));
            }
        });
        return f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((a, t) -> pending.remove(r))
                .exceptionallyCompose(t -> CompletableFuture.failedFuture(CloudException.of(t)));
    }

    @Override
    public void close() {
        if (channel.isActive()) {
            channel.writeAndFlush(Mqtt.simple(MqttMessageType.DISCONNECT)).addListener(x -> channel.close());
        }
    }

    private final class Handler extends Mqtt.ClientHandler<DpsExchange> {
        private final String registrationId;
        private final String username;

        Handler(String registrationId, String username, CompletableFuture<DpsExchange> done) {
            super(done);
            this.registrationId = registrationId;
            this.username = username;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // the SslHandler holds CONNECT until the handshake is done; no session is kept server-side
            ctx.writeAndFlush(Mqtt.connect(registrationId, username, true, 2 * Mqtt.PING_AFTER_SECONDS));
        }

        @Override
        void read(ChannelHandlerContext ctx, MqttMessage m) {
            switch (m.fixedHeader().messageType()) {
                case CONNACK -> connack(ctx, (MqttConnAckMessage) m);
                case SUBACK -> {
                    if (((MqttSubAckMessage) m).payload().grantedQoSLevels().contains(0x80)) {
                        fail(ctx, CloudException.transientFailure("SUBSCRIBE_REFUSED", "DPS refused the subscription to " + RESPONSES + "#"));
                    } else {
                        done.complete(MqttDpsExchange.this);
                    }
                }
                case PUBLISH -> answer(ctx, (MqttPublishMessage) m);
                default -> { }
            }
        }

        private void connack(ChannelHandlerContext ctx, MqttConnAckMessage ack) {
            MqttConnectReturnCode rc = ack.variableHeader().connectReturnCode();
            if (rc == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                ctx.writeAndFlush(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_LEAST_ONCE, RESPONSES + "#").build());
            } else if (rc == MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE) {
                fail(ctx, CloudException.transientFailure(Mqtt.connackCode(rc), "DPS is unavailable"));
            } else {
                fail(ctx, CloudException.refused(Mqtt.connackCode(rc), "DPS refused the connection (" + rc + ")"));
            }
        }

        private void answer(ChannelHandlerContext ctx, MqttPublishMessage p) {
            MqttPubAckMessage ack = Mqtt.pubAckFor(p);
            if (ack != null) {
                ctx.writeAndFlush(ack);
            }
            String topic = p.variableHeader().topicName();
            if (!topic.startsWith(RESPONSES)) {
                return;
            }
            CompletableFuture<Answer> f = pending.remove(Mqtt.param(topic, "$rid"));
            if (f != null) {
                String ra = Mqtt.param(topic, "retry-after");
                int retryAfter;
                try {
                    retryAfter = ra.isEmpty() ? -1 : Integer.parseInt(ra);
                } catch (NumberFormatException e) {
                    retryAfter = -1;
                }
                f.complete(new Answer(Mqtt.status(topic, RESPONSES), ByteBufUtil.getBytes(p.content()), retryAfter));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            CloudException w = why("DPS");
            done.completeExceptionally(w);
            pending.values().forEach(f -> f.completeExceptionally(w));
        }
    }
}
