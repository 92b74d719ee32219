package dev.imprint.mqtt;

import dev.imprint.mqtt.proxy.ProxiedAddress;
import dev.imprint.pki.validation.ReasonCode;
import dev.imprint.pki.validation.Verdict;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The MQTT 3.1.1 and 5 state machine of one connection: waits for the CONNECT (and the verdict on the
 * client certificate), asks the {@link MqttApplication}, answers CONNACK, then routes packets
 * to the {@link MqttSession}. Keep-alive, the in-flight window and the queue limits live here;
 * every end goes through the {@link Disconnector}. MQTT 5 (when the server allows it) differs
 * only where the protocol says so: CONNACK properties ({@link Mqtt5Connect}), the client's
 * Receive Maximum and Maximum Packet Size honoured, reason codes ({@link Mqtt5Reasons}) on
 * CONNACK, PUBACK, SUBACK and DISCONNECT, and PUBLISH properties handed to the session.
 */
final class MqttConnectionHandler extends ChannelDuplexHandler implements MqttConnection {
    private enum State { AWAIT_CONNECT, CONNECTING, CONNECTED, CLOSED }
    /** The attribute Netty's MQTT codec keeps the connection's protocol version in ({@code MqttCodecUtil}). */
    private static final io.netty.util.AttributeKey<MqttVersion> CODEC_VERSION = io.netty.util.AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");

    private final MqttApplication application;
    private final ConnectionLimits limits;
    private final Disconnector disconnector;
    private final ConnectBudgets budgets;
    private final boolean mqtt5Allowed;
    private final KeepAliveWheels wheels;
    private Channel ch;
    /** The MQTT 5 CONNECT's properties; null on 3.1.1. */
    private Mqtt5Connect v5;
    private State state = State.AWAIT_CONNECT;
    /**
     * The protocol version the first CONNECT chose. Netty's decoder keeps the version in a channel
     * attribute that its encoder reads, and sets it from every CONNECT it decodes, even a second
     * one it has only half read; every write puts it back to this one.
     */
    private MqttVersion negotiated;
    /** The codec's version attribute, looked up once (every write reads it). */
    private io.netty.util.Attribute<MqttVersion> codecVersion;
    private String clientId;
    private MqttSession session;
    /** Made on the first message to the client (many idle sessions never get one). */
    private Outbox outbox;
    /** Made on the first publish that has to wait (most sessions never have one). */
    private InboundAcks inbound;
    private boolean flushPending;
    /** Packets pipelined behind the CONNECT, until the CONNACK; null while there are none (an idle session keeps no list). */
    private List<MqttMessage> early;
    /** Packets read while the {@link ReadGate} holds (at most the rest of one read batch); null while there are none. */
    private java.util.ArrayDeque<MqttMessage> held;
    private ReadGate gate;
    private PublishRate rate;
    /** The SLOW_READER timer while the channel is unwritable. */
    private io.netty.util.concurrent.ScheduledFuture<?> slowReader;
    /** On its loop's keep-alive wheel from the CONNACK on. */
    private KeepAliveWheel.Entry silence;
    /** A packet arrived in the current read batch (its time is taken once, at the batch's end). */
    private boolean readInBatch;

    MqttConnectionHandler(MqttApplication application, ConnectionLimits limits, Disconnector disconnector, ConnectBudgets budgets) {
        this(application, limits, disconnector, budgets, false);
    }

    MqttConnectionHandler(MqttApplication application, ConnectionLimits limits, Disconnector disconnector, ConnectBudgets budgets,
            boolean mqtt5Allowed) {
        this(application, limits, disconnector, budgets, mqtt5Allowed, new KeepAliveWheels());
    }

    MqttConnectionHandler(MqttApplication application, ConnectionLimits limits, Disconnector disconnector, ConnectBudgets budgets,
            boolean mqtt5Allowed, KeepAliveWheels wheels) {
        this.wheels = wheels;
        this.mqtt5Allowed = mqtt5Allowed;
        this.application = application;
        this.limits = limits;
        this.disconnector = disconnector;
        this.budgets = budgets;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ch = ctx.channel();
        codecVersion = ch.attr(CODEC_VERSION);
        gate = new ReadGate(ch, this::handleHeld);
        rate = new PublishRate(limits.publishesPerSecond(), System.nanoTime());
        ch.eventLoop().schedule(() -> {
            if (state == State.AWAIT_CONNECT || state == State.CONNECTING) {
                refuse(null, "CONNECT_TIMEOUT", "no valid CONNECT within " + limits.connectTimeout().toSeconds() + " s");
            }
        }, limits.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof MqttMessage m)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        readInBatch = true;
        if (m.decoderResult().isFailure()) {
            ReferenceCountUtil.release(m);
            decodeFailure(m.decoderResult().cause());
            return;
        }
        switch (state) {
            case AWAIT_CONNECT -> {
                if (m instanceof MqttConnectMessage c) {
                    onConnect(c);
                } else {
                    ReferenceCountUtil.release(m);
                    refuse(null, "PROTOCOL_ERROR", "first packet was " + m.fixedHeader().messageType() + ", not CONNECT");
                }
            }
            case CONNECTING -> {
                // a client may pipeline packets behind its CONNECT; keep a few until the session exists
                if (m instanceof MqttConnectMessage) {
                    ReferenceCountUtil.release(m);
                    secondConnect();
                } else if (early != null && early.size() >= limits.inflightWindow()) {
                    ReferenceCountUtil.release(m);
                    refuse(null, "PROTOCOL_ERROR", "too many packets before CONNACK");
                } else {
                    if (early == null) {
                        early = new ArrayList<>();
                    }
                    early.add(m);
                }
            }
            case CONNECTED -> {
                if (gate.holds() || held != null) {
                    if (held == null) {
                        held = new java.util.ArrayDeque<>();
                    }
                    held.add(m);
                } else {
                    dispatch(m);
                }
            }
            case CLOSED -> ReferenceCountUtil.release(m);
        }
    }

    private void decodeFailure(Throwable cause) {
        if (state == State.AWAIT_CONNECT && cause instanceof MqttUnacceptableProtocolVersionException) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION, "UNSUPPORTED_PROTOCOL_VERSION", cause.getMessage());
        } else if (state == State.AWAIT_CONNECT && cause instanceof MqttIdentifierRejectedException) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, "CLIENT_ID_REJECTED", cause.getMessage());
        } else if (cause instanceof TooLongFrameException) {
            refuse(null, "MESSAGE_TOO_LARGE", "packet larger than " + limits.maxMessageBytes() + " bytes: " + cause.getMessage());
        } else {
            refuse(null, "MALFORMED_PACKET", String.valueOf(cause));
        }
    }

    private void onConnect(MqttConnectMessage c) {
        state = State.CONNECTING;
        int level = c.variableHeader().version();
        negotiated = level == 5 ? MqttVersion.MQTT_5 : level == 3 ? MqttVersion.MQTT_3_1 : MqttVersion.MQTT_3_1_1;
        clientId = c.payload().clientIdentifier();
        if (level == 5) {
            // the decoder speaks 5 from here on; refusals too (a CONNACK 0x84 when 5 is not allowed)
            Disconnector.mqtt5Connecting(ch);
            v5 = Mqtt5Connect.of(c.variableHeader().properties());
        }
        if (level != 4 && level != 3 && (level != 5 || !mqtt5Allowed)) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION, "UNSUPPORTED_PROTOCOL_VERSION",
                    "MQTT protocol level " + level + "; this server speaks 3.1.1" + (mqtt5Allowed ? " and 5" : ""));
            return;
        }
        if (v5 != null && v5.authenticationMethod() != null) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_AUTHENTICATION_METHOD, "BAD_AUTHENTICATION_METHOD",
                    "enhanced authentication '" + v5.authenticationMethod() + "' asked for; the client certificate is the only credential");
            return;
        }
        String bad = MqttStrings.violation(java.util.Arrays.asList(clientId, c.payload().userName(), c.payload().willTopic()));
        if (bad != null) {
            // the client ID itself is the bad string: it is logged escaped, never as sent
            refuse(null, bad, "client ID, user name or will topic is not valid MQTT UTF-8 (MQTT 3.1.1 section 1.5.3)");
            return;
        }
        if (clientId == null || clientId.isEmpty()) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, "CLIENT_ID_REJECTED", "empty client ID (the device ID is required)");
            return;
        }
        int keepAlive = c.variableHeader().keepAliveTimeSeconds();
        int effective = keepAlive == 0 ? limits.maxKeepAliveSeconds() : Math.min(keepAlive, limits.maxKeepAliveSeconds());
        String username = c.variableHeader().hasUserName() ? c.payload().userName() : null;
        // the verdict is needed only for this decision: off the channel, so an idle session keeps nothing of it
        CompletableFuture<Verdict> verdict = ch.attr(ClientCertificateHandler.VERDICT).getAndRemove();
        if (verdict == null) {
            verdict = CompletableFuture.completedFuture(new Verdict.Refused(Verdict.Step.WELL_FORMED_AND_POSSESSION,
                    ReasonCode.NO_POSSESSION_PROOF, "no client certificate on this connection"));
        }
        verdict.thenAcceptAsync(v -> {
            // closing already (a refusal's close makes the channel inactive only in a later task)
            if (state != State.CONNECTING || Disconnector.reasonOf(ch) != null || !withinBudget(v)) {
                return;
            }
            ConnectRequest req = new ConnectRequest(clientId, username, c.variableHeader().isCleanSession(), effective, v);
            CompletionStage<ConnectOutcome> outcome;
            try {
                outcome = application.connect(req, this);
            } catch (RuntimeException e) {
                outcome = CompletableFuture.failedFuture(e);
            }
            outcome.whenCompleteAsync((o, e) -> connected(o, e, keepAlive, effective), ch.eventLoop());
        }, ch.eventLoop());
    }

    /**
     * Charges the CONNECT budgets, only once the verdict is known: an accepted certificate spends
     * the budget of the identity it proves (never that of a client ID a stranger can type), a
     * refused one spends its source address's budget for refused attempts, so a flood of bad
     * CONNECTs still reaches the application a bounded number of times and never locks out a
     * device that holds its own key.
     */
    private boolean withinBudget(Verdict v) {
        long now = System.nanoTime();
        if (v instanceof Verdict.Accepted a) {
            if (!budgets.accepted().tryAcquire(a.identity(), now)) {
                refuse(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, "RATE_LIMITED",
                        "more than " + limits.connectsPerClientIdPerMinute() + " connects per minute for this identity");
                return false;
            }
            return true;
        }
        if (!budgets.refused().tryAcquire(sourceHost(), now)) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, "REFUSED_RATE_LIMITED",
                    "too many connects with a refused certificate from this address");
            return false;
        }
        return true;
    }

    private String sourceHost() {
        SocketAddress a = ProxiedAddress.remoteOf(ch);
        return a instanceof java.net.InetSocketAddress i && i.getAddress() != null ? i.getAddress().getHostAddress() : String.valueOf(a);
    }

    private void connected(ConnectOutcome o, Throwable e, int requestedKeepAlive, int keepAlive) {
        if (state != State.CONNECTING || Disconnector.reasonOf(ch) != null) {
            if (o instanceof ConnectOutcome.Accepted a) {
                a.session().onClose(String.valueOf(Disconnector.reasonOf(ch)));
            }
            return;
        }
        if (e != null || o == null) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, "INTERNAL_ERROR", "application failed: " + e);
            return;
        }
        if (o instanceof ConnectOutcome.Refused r) {
            refuse(r.code(), r.reason(), r.detail());
            return;
        }
        session = ((ConnectOutcome.Accepted) o).session();
        state = State.CONNECTED;
        // MQTT 3.1.1 section 3.1.2.10: the server closes after 1.5 keep-alive periods of silence
        KeepAliveWheel wheel = wheels.of(ch.eventLoop());
        silence = new KeepAliveWheel.Entry(keepAlive * 1_500_000_000L, wheel.now()) {
            @Override
            void expired() {
                close("KEEP_ALIVE_TIMEOUT", "nothing received for 1.5 keep-alive periods");
            }
        };
        wheel.add(silence);
        MqttMessageBuilders.ConnAckBuilder ack = MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED).sessionPresent(false);
        if (v5 != null) {
            Disconnector.mqtt5Connected(ch);
            ack.properties(v5.connack(limits, requestedKeepAlive, keepAlive));
        }
        ch.writeAndFlush(ack.build());
        List<MqttMessage> queued = early == null ? List.of() : early;
        early = null;
        queued.forEach(this::dispatch);
    }

    /** The gate opened: what was held is handled in order, until it holds again. */
    private void handleHeld() {
        while (held != null && !gate.holds() && state == State.CONNECTED) {
            MqttMessage m = held.poll();
            if (held.isEmpty()) {
                held = null;
            }
            dispatch(m);
        }
        if (flushPending) {
            flushPending = false;
            ch.flush();
        }
    }

    private void dispatch(MqttMessage m) {
        // closing (a refused publish, a failed store write): nothing read after that is handled or acknowledged
        if (state != State.CONNECTED || Disconnector.reasonOf(ch) != null) {
            ReferenceCountUtil.release(m);
            return;
        }
        MqttFixedHeader h = m.fixedHeader();
        switch (h.messageType()) {
            case PUBLISH -> onPublish((MqttPublishMessage) m);
            case PUBACK -> {
                // a PUBACK before we ever sent anything acknowledges nothing, as one for an unknown packet ID
                if (outbox != null) {
                    outbox.acked(((MqttMessageIdVariableHeader) m.variableHeader()).messageId());
                }
            }
            case SUBSCRIBE -> onSubscribe((MqttSubscribeMessage) m);
            case UNSUBSCRIBE -> onUnsubscribe((MqttUnsubscribeMessage) m);
            case PINGREQ -> {
                ch.write(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGRESP, false, MqttQoS.AT_MOST_ONCE, false, 0)));
                flushPending = true;
            }
            case DISCONNECT -> close("CLIENT_DISCONNECT", "client sent DISCONNECT");
            case CONNECT -> secondConnect();
            default -> {
                ReferenceCountUtil.release(m);
                refuse(null, "PROTOCOL_ERROR", "unsupported packet " + h.messageType());
            }
        }
    }

    private void onPublish(MqttPublishMessage p) {
        int qos = p.fixedHeader().qosLevel().value();
        String topic = p.variableHeader().topicName();
        int packetId = p.variableHeader().packetId();
        boolean retain = p.fixedHeader().isRetain();
        MqttProperties mp = p.variableHeader().properties();
        byte[] payload = ByteBufUtil.getBytes(p.payload());
        p.release();
        PublishProperties props = PublishProperties.NONE;
        if (v5 != null) {
            // CONNACK said Topic Alias Maximum 0 and Retain Available 0: either is a protocol error (MQTT 5.0 3.3.2.3.4, 3.3.1.3)
            if (mp.getProperty(MqttProperties.TOPIC_ALIAS) != null) {
                refuse(null, "TOPIC_ALIAS_INVALID", "topic alias used; this server's Topic Alias Maximum is 0");
                return;
            }
            if (retain) {
                refuse(null, "RETAIN_UNSUPPORTED", "retained PUBLISH on " + topic + "; this server's Retain Available is 0");
                return;
            }
            props = PublishProperties.from(mp);
        }
        String bad = MqttStrings.violation(topic);
        if (bad != null) {
            // closed, not stored: MQTT 3.1.1 section 1.5.3
            refuse(null, bad, "topic name is not valid MQTT UTF-8");
            return;
        }
        if (qos > 1) {
            refuse(null, "QOS2_UNSUPPORTED", "QoS 2 publish on " + topic + " (this server supports QoS 0 and 1)");
            return;
        }
        CompletableFuture<Void> done;
        try {
            withinRate();
            done = session.onPublish(topic, qos, payload, props).toCompletableFuture();
        } catch (MqttRefusal r) {
            if (qos == 0 && RATE.equals(r.reason())) {
                // MQTT 5 only (3.1.1 is held back, never refused): nothing to answer a QoS 0 publish with; counted, dropped
                disconnector.refused(ch, "PUBLISH", r.reason(), clientId, r.getMessage());
            } else if (qos != 1 || v5 == null || Mqtt5Reasons.puback(r.reason()) == 0) {
                close(r.reason(), r.getMessage());
            } else if (inbound == null || inbound.isEmpty()) {
                ch.write(ack(packetId, r.reason(), r.getMessage()));
                flushPending = true;
            } else {
                // its PUBACK goes out in order, behind those still waiting
                inbound.add(packetId, CompletableFuture.failedFuture(r));
            }
            return;
        } catch (RuntimeException e) {
            close("INTERNAL_ERROR", "publish handling failed: " + e);
            return;
        }
        boolean ok = done.isDone() && !done.isCompletedExceptionally();
        if (ok && (inbound == null || inbound.isEmpty())) {
            if (qos == 1) {
                // flushed once per read batch (channelReadComplete): one syscall and TLS record for many PUBACKs
                ch.write(MqttMessageBuilders.pubAck().packetId(packetId).build());
                flushPending = true;
            }
            return;
        }
        if (ok && qos == 0) {
            return;
        }
        if (inbound == null) {
            inbound = new InboundAcks(ch, gate, limits.inflightWindow(), new InboundAcks.Refusals() {
                @Override
                public MqttMessage ack(int packetId, String reason, String detail) {
                    return MqttConnectionHandler.this.ack(packetId, reason, detail);
                }

                @Override
                public void close(String reason, String detail) {
                    MqttConnectionHandler.this.close(reason, detail);
                }
            });
        }
        inbound.add(qos == 1 ? packetId : -1, done);
    }

    private static final String RATE = "PUBLISH_RATE_EXCEEDED";

    /**
     * The connection's publish rate ({@link ConnectionLimits#publishesPerSecond}). Over it, an MQTT 5
     * publish is refused (PUBACK 0x97 Quota exceeded, the device's SDK reports it and may send again
     * later); a 3.1.1 publish is handled, but reading from the client pauses until the rate allows
     * the next one. 3.1.1 has no way to refuse a publish but to close the connection, and a device
     * SDK answers a close by reconnecting and sending its unacknowledged messages again at once
     * (spending its CONNECT budget until it is locked out); a PUBACK for a dropped message would
     * be a lie. Held back, it only sees its publishes take longer: TCP back-pressure, which every
     * client copes with, and the server stores at most the rate. Each message over the rate is
     * counted ({@code imprint.mqtt.refusals{packet=PUBLISH,reason=PUBLISH_RATE_EXCEEDED}}).
     *
     * @throws MqttRefusal on MQTT 5, when over the rate
     */
    private void withinRate() {
        long now = System.nanoTime();
        if (v5 != null) {
            if (!rate.tryTake(now)) {
                throw new MqttRefusal(RATE, "more than " + rate.perSecond() + " publishes a second on this connection");
            }
            return;
        }
        if (rate.take(now)) {
            return;
        }
        disconnector.refused(ch, "PUBLISH", RATE, clientId, "more than " + rate.perSecond()
                + " publishes a second on this connection: reading paused (MQTT 3.1.1, held back, not refused)");
        if (!gate.isPaused(ReadGate.PUBLISH_RATE)) {
            gate.pause(ReadGate.PUBLISH_RATE);
            ch.eventLoop().schedule(() -> gate.resume(ReadGate.PUBLISH_RATE), Math.max(1_000_000L, rate.waitNanos()), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * MQTT 5 only: the PUBACK that refuses a QoS 1 publish with its reason code (logged and
     * counted as a refusal; the connection stays). Null on 3.1.1, or when no PUBACK may carry
     * the code: the connection ends instead.
     */
    private MqttMessage ack(int packetId, String reason, String detail) {
        byte code = v5 == null ? 0 : Mqtt5Reasons.puback(reason);
        if (code == 0) {
            return null;
        }
        disconnector.refused(ch, "PUBLISH", reason, clientId, detail);
        return MqttMessageBuilders.pubAck().packetId(packetId).reasonCode(code)
                .properties(v5.problemInformation() ? Mqtt5Reasons.reasonString(reason) : MqttProperties.NO_PROPERTIES).build();
    }

    private void onSubscribe(MqttSubscribeMessage s) {
        List<MqttSession.Subscription> filters = new ArrayList<>();
        String bad = MqttStrings.violation(s.payload().topicSubscriptions().stream().map(MqttTopicSubscription::topicFilter).toList());
        if (bad != null) {
            refuse(null, bad, "topic filter is not valid MQTT UTF-8");
            return;
        }
        if (v5 != null && s.idAndPropertiesVariableHeader().properties().getProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER) != null) {
            refuse(null, "SUBSCRIPTION_IDENTIFIERS_UNSUPPORTED", "SUBSCRIBE with a subscription identifier; CONNACK said none are available");
            return;
        }
        List<Integer> shared = new ArrayList<>();
        for (MqttTopicSubscription t : s.payload().topicSubscriptions()) {
            if (v5 != null && t.topicFilter().startsWith("$share/")) {
                // not for the session to see: a shared subscription is refused by filter (CONNACK said none are available)
                shared.add(filters.size() + shared.size());
                continue;
            }
            filters.add(new MqttSession.Subscription(t.topicFilter(), Math.min(1, t.qualityOfService().value())));
        }
        List<Integer> granted = new ArrayList<>(filters.isEmpty() ? List.of() : session.onSubscribe(filters));
        if (v5 != null) {
            // the sessions refuse a filter for one reason, not the device's own topic: 0x87 on MQTT 5
            granted.replaceAll(g -> g == 0x80 ? Mqtt5Reasons.suback("FOREIGN_TOPIC") & 0xFF : g);
            shared.forEach(i -> granted.add(i, Mqtt5Reasons.suback("SHARED_SUBSCRIPTIONS_UNSUPPORTED") & 0xFF));
        }
        ch.writeAndFlush(new MqttSubAckMessage(new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(s.variableHeader().messageId()), new MqttSubAckPayload(granted)));
    }

    private void onUnsubscribe(MqttUnsubscribeMessage u) {
        String bad = MqttStrings.violation(u.payload().topics());
        if (bad != null) {
            refuse(null, bad, "topic filter is not valid MQTT UTF-8");
            return;
        }
        session.onUnsubscribe(u.payload().topics());
        MqttMessageBuilders.UnsubAckBuilder ack = MqttMessageBuilders.unsubAck().packetId(u.variableHeader().messageId());
        if (v5 != null) {
            // MQTT 5 UNSUBACK carries one reason code per filter: 0x00 success
            u.payload().topics().forEach(t -> ack.addReasonCode((short) 0));
        }
        ch.writeAndFlush(ack.build());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (readInBatch) {
            readInBatch = false;
            if (silence != null) {
                silence.read(ch.eventLoop().ticker().nanoTime());
            }
        }
        if (flushPending) {
            flushPending = false;
            ch.flush();
        }
        super.channelReadComplete(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ch.isWritable()) {
            if (slowReader != null) {
                slowReader.cancel(false);
                slowReader = null;
            }
            gate.resume(ReadGate.UNWRITABLE);
            if (outbox != null) {
                outbox.drain();
            }
        } else {
            slowReaderPaused();
        }
        super.channelWritabilityChanged(ctx);
    }

    /**
     * The client does not read what we send (our write buffer is past its high water mark): read
     * nothing more from it, so what it sends cannot make us write (and buffer) more, and close it
     * if it stays so for {@link ConnectionLimits#slowReaderTimeout} (SLOW_READER). What one
     * connection holds is then bounded by the write buffer's high water mark and one read batch.
     */
    private void slowReaderPaused() {
        gate.pause(ReadGate.UNWRITABLE);
        if (slowReader == null) {
            long ms = limits.slowReaderTimeout().toMillis();
            slowReader = ch.eventLoop().schedule(() -> {
                slowReader = null;
                if (!ch.isWritable() && ch.isActive()) {
                    close("SLOW_READER", "nothing we sent was read for " + ms + " ms (" + ch.unsafe().outboundBuffer().totalPendingWriteBytes()
                            + " bytes waiting)");
                }
            }, ms, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        // a volatile read per write; the write (a store barrier) only when the decoder changed it
        if (negotiated != null && codecVersion.get() != negotiated) {
            codecVersion.set(negotiated);
        }
        ctx.write(msg, promise);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        close("CONNECTION_LOST", String.valueOf(cause));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        State was = state;
        state = State.CLOSED;
        if (silence != null) {
            wheels.of(ch.eventLoop()).remove(silence);
        }
        if (slowReader != null) {
            slowReader.cancel(false);
            slowReader = null;
        }
        if (early != null) {
            early.forEach(ReferenceCountUtil::release);
            early = null;
        }
        if (held != null) {
            held.forEach(ReferenceCountUtil::release);
            held = null;
        }
        if (inbound != null) {
            inbound.clear();
        }
        String reason = Disconnector.reasonOf(ch);
        if (reason == null) {
            disconnector.disconnect(ch, null, "CONNECTION_LOST", clientId, "closed by the client");
            reason = "CONNECTION_LOST";
        }
        if (outbox != null) {
            outbox.fail(new ClosedChannelException());
        }
        if (was == State.CONNECTED && session != null) {
            session.onClose(reason);
        }
        super.channelInactive(ctx);
    }

    /**
     * A second CONNECT is a protocol violation (MQTT 3.1.1 3.1.0-2, MQTT 5 3.1.0-2): closed without
     * a word, because Netty's decoder has already switched the connection's protocol version to
     * the second CONNECT's, so anything written now (a CONNACK still pending for the first, a
     * DISCONNECT) would be encoded for a version the client did not negotiate.
     */
    private void secondConnect() {
        disconnector.disconnect(ch, null, "SECOND_CONNECT", clientId, "second CONNECT on one connection");
    }

    private void refuse(MqttConnectReturnCode connack, String reason, String detail) {
        if (connack == null && v5 != null && state == State.CONNECTING) {
            // MQTT 5 answers every refused CONNECT with a CONNACK; its code comes from the reason
            connack = MqttConnectReturnCode.CONNECTION_REFUSED_UNSPECIFIED_ERROR;
        }
        disconnector.disconnect(ch, state == State.CONNECTED ? null : connack, reason, clientId, detail);
    }

    // ---- MqttConnection ---------------------------------------------------------------

    @Override
    public CompletionStage<Void> publish(String topic, int qos, byte[] payload) {
        return publish(topic, qos, payload, true);
    }

    @Override
    public CompletionStage<Void> reply(String topic, byte[] payload) {
        return publish(topic, 0, payload, false);
    }

    private CompletionStage<Void> publish(String topic, int qos, byte[] payload, boolean droppable) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable send = () -> {
            if (state != State.CONNECTED) {
                done.completeExceptionally(new ClosedChannelException());
                return;
            }
            try {
                outbox().publish(topic, qos, payload, droppable).whenComplete((v, e) -> {
                    if (e != null) {
                        done.completeExceptionally(e);
                    } else {
                        done.complete(null);
                    }
                });
            } catch (Outbox.Overflow o) {
                done.completeExceptionally(o);
                close("SLOW_CONSUMER", o.getMessage());
            }
        };
        if (ch.eventLoop().inEventLoop()) {
            send.run();
        } else {
            ch.eventLoop().execute(send);
        }
        return done;
    }

    private Outbox outbox() {
        if (outbox == null) {
            outbox = v5 == null ? new Outbox(ch, limits.inflightWindow(), limits.outboundQueue())
                    : new Outbox(ch, v5.window(limits), limits.outboundQueue(), v5.maximumPacketSize());
        }
        return outbox;
    }

    @Override
    public void close(String reason, String detail) {
        disconnector.disconnect(ch, null, reason, clientId, detail);
    }

    @Override
    public boolean isActive() {
        return ch.isActive() && state == State.CONNECTED;
    }

    @Override
    public Executor executor() {
        return ch.eventLoop();
    }

    @Override
    public SocketAddress remoteAddress() {
        return ProxiedAddress.remoteOf(ch);
    }
}
