package dev.imprint.mqtt;

import dev.imprint.mqtt.proxy.Balancers;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.SocketAddress;

/**
 * On the listening channel: each accepted connection is counted against its source address's
 * {@link SourceCap} before it is handed to an event loop, so the cap holds in accept order (set up
 * on the event loops, two connections could be counted in either order). Over the cap it is closed
 * there and then, before TLS, TOO_MANY_CONNECTIONS. Connections from a balancer are not counted:
 * it speaks for many devices.
 */
@ChannelHandler.Sharable
final class CapAtAccept extends ChannelInboundHandlerAdapter {
    private final SourceCap cap;
    private final Balancers balancers;
    private final Disconnector disconnector;

    CapAtAccept(SourceCap cap, Balancers balancers, Disconnector disconnector) {
        this.cap = cap;
        this.balancers = balancers;
        this.disconnector = disconnector;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Channel child) {
            SocketAddress peer = child.remoteAddress();
            if (!balancers.contains(peer)) {
                if (!cap.admit(peer)) {
                    disconnector.refusedAtAccept(peer, "TOO_MANY_CONNECTIONS", "more than " + cap.max() + " open connections from this address");
                    // never registered: one accept and one close
                    child.unsafe().closeForcibly();
                    return;
                }
                child.closeFuture().addListener(f -> cap.release(peer));
            }
        }
        ctx.fireChannelRead(msg);
    }
}
