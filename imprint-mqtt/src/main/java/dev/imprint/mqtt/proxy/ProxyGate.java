package dev.imprint.mqtt.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ProtocolDetectionResult;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * The first handler of a listener behind a TCP balancer: looks at a connection's first bytes,
 * before TLS, and decides by the TCP peer (the socket's own view, which a client cannot forge):
 * <ul>
 *   <li>a configured balancer must start with a PROXY header (v2, or v1 since Netty's decoder reads
 *       both): the header is decoded ({@link ProxyHeaderHandler}) and the device's real address
 *       recorded ({@link ProxiedAddress}); no header -> {@link ProxyReason#PROXY_HEADER_MISSING};</li>
 *   <li>any other peer must not send one: the v2 signature or the {@code "PROXY "} prefix ->
 *       {@link ProxyReason#PROXY_NOT_ALLOWED} (it could claim any address); anything else passes
 *       to TLS untouched, as without a balancer.</li>
 * </ul>
 * Removes itself once decided. Installed only when balancers are configured
 * ({@link #install}): with none, listeners carry no PROXY protocol code at all.
 */
public final class ProxyGate extends ChannelInboundHandlerAdapter {
    static final String NAME = "proxy-gate";

    private final boolean fromBalancer;
    private final boolean forwardHeader;
    private final ProxyRefusal refusal;
    private ByteBuf pending;
    private boolean decided;

    ProxyGate(boolean fromBalancer, boolean forwardHeader, ProxyRefusal refusal) {
        this.fromBalancer = fromBalancer;
        this.forwardHeader = forwardHeader;
        this.refusal = refusal;
    }

    /**
     * Puts the gate first in a new connection's pipeline, when {@code balancers} is not empty.
     *
     * @param forwardHeader false: the header is consumed here (a Netty pipeline of our own, the MQTT
     *     transport). true: after the decision a fresh PROXY v2 header goes downstream in front of the
     *     client's bytes (PROXY with the real source for a balancer's connection, LOCAL for a direct one)
     *     for a consumer that always expects one: Vert.x with {@code setUseProxyProtocol(true)}, which
     *     by itself would take a header from anyone and refuse everyone without one.
     */
    public static void install(Channel ch, Balancers balancers, ProxyRefusal refusal, boolean forwardHeader) {
        if (balancers.isEmpty()) {
            return;
        }
        ch.pipeline().addFirst(NAME, new ProxyGate(balancers.contains(ch.remoteAddress()), forwardHeader, refusal));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (decided) { // refused: nothing after the refusal reaches TLS
            in.release();
            return;
        }
        pending = pending == null ? in : ctx.alloc().compositeBuffer().addComponents(true, pending, in);
        ProtocolDetectionResult<HAProxyProtocolVersion> r = HAProxyMessageDecoder.detectProtocol(pending);
        switch (r.state()) {
            case NEEDS_MORE_DATA -> { }
            case DETECTED -> {
                if (fromBalancer) {
                    ctx.pipeline().addAfter(NAME, ProxyHeaderHandler.DECODER, new HAProxyMessageDecoder())
                            .addAfter(ProxyHeaderHandler.DECODER, ProxyHeaderHandler.NAME, new ProxyHeaderHandler(refusal, forwardHeader));
                    pass(ctx);
                } else {
                    refuse(ctx, ProxyReason.PROXY_NOT_ALLOWED, "PROXY " + r.detectedProtocol() + " header from a peer that is not a configured balancer");
                }
            }
            case INVALID -> {
                if (fromBalancer) {
                    refuse(ctx, ProxyReason.PROXY_HEADER_MISSING, "a configured balancer's connection did not start with a PROXY header");
                } else {
                    if (forwardHeader) {
                        ctx.fireChannelRead(ProxyV2.local(ctx.alloc()));
                    }
                    pass(ctx);
                }
            }
        }
    }

    private void pass(ChannelHandlerContext ctx) {
        decided = true;
        ByteBuf b = pending;
        pending = null;
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(b);
    }

    private void refuse(ChannelHandlerContext ctx, ProxyReason reason, String detail) {
        decided = true;
        release();
        refusal.refuse(ctx.channel(), reason, detail);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        release();
        super.channelInactive(ctx);
    }

    private void release() {
        if (pending != null) {
            ReferenceCountUtil.safeRelease(pending);
            pending = null;
        }
    }
}
