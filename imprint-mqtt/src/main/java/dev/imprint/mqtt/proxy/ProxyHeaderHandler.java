package dev.imprint.mqtt.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Takes the decoded PROXY header of a balancer's connection: TCP over IPv4 or IPv6 records the
 * source as the client's address ({@link ProxiedAddress}); LOCAL (the balancer's own health check)
 * and v1 UNKNOWN keep the TCP peer, as the protocol says; anything else (UDP, UNIX sockets) or an
 * undecodable header is {@link ProxyReason#PROXY_HEADER_MALFORMED}. Removes itself after the one
 * header (Netty's decoder does the same).
 */
final class ProxyHeaderHandler extends ChannelInboundHandlerAdapter {
    static final String DECODER = "proxy-decoder";
    static final String NAME = "proxy-header";

    private final ProxyRefusal refusal;
    private final boolean forwardHeader;
    private boolean refused;

    ProxyHeaderHandler(ProxyRefusal refusal, boolean forwardHeader) {
        this.refusal = refusal;
        this.forwardHeader = forwardHeader;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage m)) {
            if (refused) {
                io.netty.util.ReferenceCountUtil.release(msg);
            } else {
                ctx.fireChannelRead(msg);
            }
            return;
        }
        try {
            HAProxyProxiedProtocol p = m.proxiedProtocol();
            boolean tcp = p == HAProxyProxiedProtocol.TCP4 || p == HAProxyProxiedProtocol.TCP6;
            if (m.command() == HAProxyCommand.PROXY && tcp) {
                InetSocketAddress source = address(m.sourceAddress(), m.sourcePort());
                ctx.channel().attr(ProxiedAddress.SOURCE).set(source);
                if (forwardHeader) {
                    InetSocketAddress dest = address(m.destinationAddress(), m.destinationPort());
                    ctx.fireChannelRead(ProxyV2.proxy(ctx.alloc(), source, dest));
                }
            } else if (m.command() == HAProxyCommand.LOCAL || p == HAProxyProxiedProtocol.UNKNOWN) {
                if (forwardHeader) {
                    ctx.fireChannelRead(ProxyV2.local(ctx.alloc()));
                }
            } else {
                refuse(ctx, "PROXY header for " + p + "; only TCP over IPv4 or IPv6 is served");
                return;
            }
        } finally {
            m.release();
        }
        ctx.pipeline().remove(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (cause instanceof HAProxyProtocolException
                || cause instanceof DecoderException && cause.getCause() instanceof HAProxyProtocolException) {
            refuse(ctx, "undecodable PROXY header: " + cause.getMessage());
            return;
        }
        super.exceptionCaught(ctx, cause);
    }

    private void refuse(ChannelHandlerContext ctx, String detail) {
        if (!refused) {
            refused = true;
            refusal.refuse(ctx.channel(), ProxyReason.PROXY_HEADER_MALFORMED, detail);
        }
    }

    private static InetSocketAddress address(String ip, int port) {
        InetAddress a = NetUtil.createInetAddressFromIpAddressString(ip);
        if (a == null) {
            throw new HAProxyProtocolException("not an IP address: " + ip);
        }
        return new InetSocketAddress(a, port);
    }
}
