package dev.imprint.dps.protocol.https;

import dev.imprint.pki.LogSafe;
import dev.imprint.mqtt.proxy.Balancers;
import dev.imprint.mqtt.proxy.ProxiedAddress;
import dev.imprint.mqtt.proxy.ProxyGate;
import dev.imprint.mqtt.proxy.ProxyRefusal;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.transport.Transport;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vert.x HTTPS listeners behind TCP balancers, with the same rule as the MQTT transport
 * ({@link ProxyGate}): a PROXY header is required from a configured balancer and refused from
 * anyone else. Used by the DPS's HTTPS device API and by the server's HTTPS listener (EST, admin
 * API, console); it lives here because both depend on this module.
 *
 * <p>Why not just {@code HttpServerOptions.setUseProxyProtocol(true)}: Vert.x 5 then requires a
 * header on every connection and takes it from anyone. It cannot be restricted by source address,
 * and its connection handlers run only after TLS, too late for a header. So the listener keeps
 * Vert.x's decoder (which sets {@code HttpConnection.remoteAddress()} from the header) and this class
 * puts the {@link ProxyGate} in front of it, first in each accepted connection's pipeline: the gate
 * decides by the socket's peer, then hands Vert.x a header it wrote itself (the device's address
 * from a balancer, LOCAL for a direct client). The hook is the Vert.x transport SPI's
 * {@code configure(NetServerOptions, ServerBootstrap)}: a handler on the listening channel sees
 * each new connection before Vert.x initialises it. No second listener, no extra hop.
 *
 * <p>The same hook caps open connections per source address on each listener (at accept, before
 * TLS: TOO_MANY_CONNECTIONS). With no balancers and no cap nothing here is used: the Vertx is the
 * plain one and no listener sets {@code useProxyProtocol}.
 */
public final class BalancedVertx {
    private static final Logger LOG = LoggerFactory.getLogger(BalancedVertx.class);

    private BalancedVertx() {}

    /**
     * A Vertx whose listeners with {@code useProxyProtocol} (see {@link #listenerOptions}) enforce the
     * balancer rule; with no balancers, {@code Vertx.vertx(options)}.
     *
     * @param server names the listeners in refusal logs and in {@code imprint.https.refusals{server,reason}}
     * @param meters may be null (refusals are then only logged)
     */
    public static Vertx create(VertxOptions options, Balancers balancers, String server, MeterRegistry meters) {
        return create(options, balancers, server, meters, dev.imprint.mqtt.ConnectionLimits.CONNECTIONS_PER_SOURCE);
    }

    /**
     * As above, and every listener of this Vertx refuses a connection at accept, before TLS, when
     * its source address already holds {@code connectionsPerSource} open ones on that listener
     * (TOO_MANY_CONNECTIONS, logged and counted like the gate's refusals; connections from a
     * balancer are not counted). 0 and no balancers: {@code Vertx.vertx(options)}.
     */
    public static Vertx create(VertxOptions options, Balancers balancers, String server, MeterRegistry meters, int connectionsPerSource) {
        if (balancers.isEmpty() && connectionsPerSource == 0) {
            return Vertx.vertx(options);
        }
        Transport base = options.getPreferNativeTransport() && Transport.nativeTransport() != null
                && Transport.nativeTransport().available() ? Transport.nativeTransport() : Transport.NIO;
        ProxyRefusal refusal = (ch, reason, detail) -> {
            LOG.info("event=https.refused server={} remote={} local={} reason={} msg=\"{}\"", server, ProxiedAddress.remoteOf(ch),
                    ch.localAddress(), reason, LogSafe.of(detail));
            if (meters != null) {
                meters.counter("imprint.https.refusals", "server", server, "reason", reason.name()).increment();
            }
            ch.close();
        };
        // counted like the DPS's other refusals: in the global registry when no registry is given
        MeterRegistry counted = meters == null ? io.micrometer.core.instrument.Metrics.globalRegistry : meters;
        TooMany tooMany = (peer, detail) -> {
            LOG.info("event=https.refused server={} remote={} reason=TOO_MANY_CONNECTIONS msg=\"{}\"", server, peer, detail);
            counted.counter("imprint.https.refusals", "server", server, "reason", "TOO_MANY_CONNECTIONS").increment();
        };
        return Vertx.builder().with(options).withTransport(new Gated(base, balancers, refusal, connectionsPerSource, tooMany)).build();
    }

    /** Logs and counts a connection refused at accept (the channel is not registered: nothing but its address to go by). */
    private interface TooMany {
        void refused(java.net.SocketAddress peer, String detail);
    }

    /**
     * Sets {@code useProxyProtocol} on a device-facing listener's options when there are balancers.
     *
     * @throws IllegalStateException when there are balancers but {@code vertx} was not made by
     *     {@link #create} with them: Vert.x alone would take a PROXY header from anyone
     */
    public static HttpServerOptions listenerOptions(Vertx vertx, HttpServerOptions options, Balancers balancers) {
        if (balancers.isEmpty()) {
            return options;
        }
        if (!(vertx instanceof VertxInternal vi && vi.transport() instanceof GatedSpi)) {
            throw new IllegalStateException("balancers configured but this Vertx has no PROXY gate: make it with BalancedVertx.create");
        }
        return options.setUseProxyProtocol(true);
    }

    /** The public transport handle Vert.x's builder takes; {@link #implementation()} is the gated SPI. */
    private record Gated(Transport base, Balancers balancers, ProxyRefusal refusal, int connectionsPerSource, TooMany tooMany) implements Transport {
        @Override
        public String name() {
            return base.name() + "+proxy-gate";
        }

        @Override
        public boolean available() {
            return base.available();
        }

        @Override
        public Throwable unavailabilityCause() {
            return base.unavailabilityCause();
        }

        @Override
        public io.vertx.core.spi.transport.Transport implementation() {
            return new GatedSpi(base.implementation(), balancers, refusal, connectionsPerSource, tooMany);
        }
    }

    /** The base transport, plus the gate installer on listeners that use the PROXY protocol. */
    private record GatedSpi(io.vertx.core.spi.transport.Transport base, Balancers balancers, ProxyRefusal refusal, int connectionsPerSource,
            TooMany tooMany)
            implements io.vertx.core.spi.transport.Transport {

        @Override
        public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
            base.configure(options, domainSocket, bootstrap);
            if (!domainSocket && (options.isUseProxyProtocol() || connectionsPerSource > 0)) {
                // Vert.x sets only childHandler: the listening channel's own handler is free for the gate and the cap
                bootstrap.handler(new Installer(options.isUseProxyProtocol() ? balancers : null, refusal,
                        new dev.imprint.mqtt.SourceCap(connectionsPerSource), balancers, tooMany));
            }
        }

        @Override
        public boolean supportsDomainSockets() { return base.supportsDomainSockets(); }

        @Override
        public boolean supportFileRegion() { return base.supportFileRegion(); }

        @Override
        public boolean isAvailable() { return base.isAvailable(); }

        @Override
        public Throwable unavailabilityCause() { return base.unavailabilityCause(); }

        @Override
        public java.net.SocketAddress convert(io.vertx.core.net.SocketAddress address) { return base.convert(address); }

        @Override
        public io.vertx.core.net.SocketAddress convert(java.net.SocketAddress address) { return base.convert(address); }

        @Override
        public IoHandlerFactory ioHandlerFactory() { return base.ioHandlerFactory(); }

        @Override
        public EventLoopGroup eventLoopGroup(int type, int threads, ThreadFactory factory, int ioRatio) {
            return base.eventLoopGroup(type, threads, factory, ioRatio);
        }

        @Override
        public DatagramChannel datagramChannel() { return base.datagramChannel(); }

        @Override
        public DatagramChannel datagramChannel(InternetProtocolFamily family) { return base.datagramChannel(family); }

        @Override
        public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) { return base.channelFactory(domainSocket); }

        @Override
        public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
            return base.serverChannelFactory(domainSocket);
        }

        @Override
        public void configure(DatagramChannel channel, DatagramSocketOptions options) { base.configure(channel, options); }

        @Override
        public void configure(ClientOptionsBase options, int connectTimeout, boolean domainSocket, io.netty.bootstrap.Bootstrap bootstrap) {
            base.configure(options, connectTimeout, domainSocket, bootstrap);
        }
    }

    /**
     * On the listening channel, before Netty's acceptor: each accepted connection gets the gate
     * first, so it runs before the handlers Vert.x adds when the connection is registered.
     */
    @ChannelHandler.Sharable
    private static final class Installer extends ChannelInboundHandlerAdapter {
        /** Null when this listener takes no PROXY headers. */
        private final Balancers gate;
        private final ProxyRefusal refusal;
        private final dev.imprint.mqtt.SourceCap cap;
        private final Balancers balancers;
        private final TooMany tooMany;

        Installer(Balancers gate, ProxyRefusal refusal, dev.imprint.mqtt.SourceCap cap, Balancers balancers, TooMany tooMany) {
            this.gate = gate;
            this.refusal = refusal;
            this.cap = cap;
            this.balancers = balancers;
            this.tooMany = tooMany;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Channel child) {
                java.net.SocketAddress peer = child.remoteAddress();
                // a balancer speaks for many clients: capped by its own configuration, not here
                if (!balancers.contains(peer)) {
                    if (!cap.admit(peer)) {
                        // never registered, never handed to Vert.x: one accept and one close
                        tooMany.refused(peer, "more than " + cap.max() + " open connections from this address");
                        child.unsafe().closeForcibly();
                        return;
                    }
                    child.closeFuture().addListener(f -> cap.release(peer));
                }
                if (gate != null) {
                    ProxyGate.install(child, gate, refusal, true);
                }
            }
            ctx.fireChannelRead(msg);
        }
    }
}
