package dev.imprint.mqtt;

import dev.imprint.mqtt.proxy.Balancers;
import dev.imprint.mqtt.proxy.ProxyGate;
import dev.imprint.mqtt.proxy.ProxyRefusal;
import dev.imprint.pki.validation.Verdict;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.util.ReferenceCounted;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT 3.1.1 (and 5, when {@link Builder#mqtt5 allowed}) over mutual TLS on Netty, independent of what the messages mean (the hub and the
 * DPS's MQTT device API both run on it). Pipeline per connection:
 * {@code [ProxyGate, behind a balancer] -> SslHandler -> ClientCertificateHandler -> MqttDecoder -> MqttEncoder -> MqttConnectionHandler};
 * keep-alives on one {@link KeepAliveWheel} per event loop.
 *
 * <p>The client certificate is required; its chain is validated once after the handshake by
 * the given validator function (the shared {@code CertificateValidator}), off the event loop.
 * Every refusal and every end goes through one {@link Disconnector}.
 */
public final class MqttTlsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MqttTlsServer.class);

    private final Builder b;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService validation;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Disconnector disconnector;
    private Channel server;

    private MqttTlsServer(Builder b) {
        this.b = b;
        this.boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.workers = new MultiThreadIoEventLoopGroup(b.ioThreads, NioIoHandler.newFactory());
        AtomicInteger n = new AtomicInteger();
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        // bounded queue: under a connection storm excess validations are refused (INTERNAL_ERROR), not buffered without end
        this.validation = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(10_000), r -> {
            Thread t = new Thread(r, b.name + "-validate-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.disconnector = new Disconnector(b.name, b.meters);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds and starts accepting.
     *
     * @throws IllegalStateException when the address cannot be bound (in use, not local)
     */
    public MqttTlsServer start() {
        PeerChains chains = new PeerChains();
        ConnectBudgets budgets = ConnectBudgets.of(b.limits, b.refusedConnectsPerSourcePerMinute);
        ProxyRefusal proxyRefusal = (ch, reason, detail) -> disconnector.disconnect(ch, null, reason.name(), null, detail);
        SourceCap cap = new SourceCap(b.limits.connectionsPerSource());
        KeepAliveWheels wheels = new KeepAliveWheels();
        ServerBootstrap sb = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 128 * 1024))
                // on the listening channel: connections are counted in the order they were accepted, before any is set up
                .handler(new CapAtAccept(cap, b.balancers, disconnector))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        // a balancer speaks for many devices: it is capped by its own configuration, not here
                        // behind a balancer only: the PROXY header is read (or refused) before TLS
                        ProxyGate.install(ch, b.balancers, proxyRefusal, false);
                        ch.pipeline()
                                .addLast("tls", b.tls.context().newHandler(ch.alloc()))
                                .addLast("cert", new ClientCertificateHandler(b.validator, validation, disconnector, chains))
                                .addLast("decoder", new MqttDecoder(b.limits.maxMessageBytes()))
                                .addLast("encoder", MqttEncoder.INSTANCE)
                                .addLast("mqtt", new MqttConnectionHandler(b.application, b.limits, disconnector, budgets, b.mqtt5, wheels));
                    }
                });
        try {
            server = sb.bind(new InetSocketAddress(b.host, b.port)).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException("cannot listen on " + b.host + ":" + b.port + ": " + e.getMessage(), e);
        }
        if (b.meters != null) {
            Gauge.builder("imprint.mqtt.connections", channels, ChannelGroup::size).tag("server", b.name).register(b.meters);
        }
        LOG.info("event=mqtt.listening server={} address={}:{} engine={} balancers={}", b.name, b.host, port(), b.tls.engine(),
                b.balancers.isEmpty() ? "-" : b.balancers);
        return this;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String engine() {
        return b.tls.engine();
    }

    /** Open connections (TLS and MQTT, connected or not). */
    public int connections() {
        return channels.size();
    }

    public Disconnector disconnector() {
        return disconnector;
    }

    /** Stops accepting, closes every connection (SERVER_STOPPING), stops the threads. Idempotent. */
    @Override
    public void close() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        channels.forEach(ch -> disconnector.disconnect(ch, null, "SERVER_STOPPING", null, "server stopping"));
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        validation.shutdownNow();
        if (b.tls.context() instanceof ReferenceCounted rc && rc.refCnt() > 0) {
            rc.release(); // BoringSSL's SSL_CTX and key; engines of closed connections gave theirs back already
        }
    }

    /** Builder; tls, validator and application are required. */
    public static final class Builder {
        private String name = "mqtt";
        private String host = "127.0.0.1";
        private int port = 8883;
        private int ioThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private ServerTls tls;
        private ConnectionLimits limits = ConnectionLimits.defaults();
        private Function<List<X509Certificate>, Verdict> validator;
        private MqttApplication application;
        private MeterRegistry meters;
        private Balancers balancers = Balancers.none();
        private int refusedConnectsPerSourcePerMinute = ConnectBudgets.REFUSED_PER_SOURCE_PER_MINUTE;
        private boolean mqtt5;

        private Builder() {}

        /** Names the server in logs and metrics ({@code server} tag). */
        public Builder name(String name) { this.name = Objects.requireNonNull(name); return this; }

        public Builder bind(String host, int port) { this.host = host; this.port = port; return this; }

        public Builder ioThreads(int n) { this.ioThreads = n; return this; }

        public Builder tls(ServerTls tls) { this.tls = tls; return this; }

        public Builder limits(ConnectionLimits limits) { this.limits = Objects.requireNonNull(limits); return this; }

        /**
         * CONNECTs with a refused certificate that reach the application per source address and
         * minute (REFUSED_RATE_LIMITED beyond; default {@value ConnectBudgets#REFUSED_PER_SOURCE_PER_MINUTE}).
         * Kept apart from the per-identity budget, which only an accepted certificate spends.
         */
        public Builder refusedConnectsPerSourcePerMinute(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("refusedConnectsPerSourcePerMinute must be >= 1: " + n);
            }
            this.refusedConnectsPerSourcePerMinute = n;
            return this;
        }

        /**
         * Validates a client's chain (leaf first) once per connection: normally
         * {@code chain -> validator.validate(ValidationRequest.builder().chain(chain).possession(PossessionProof.tlsHandshake())...build())}.
         * Must not throw (an exception is a refusal with INTERNAL_ERROR).
         */
        public Builder validator(Function<List<X509Certificate>, Verdict> validator) { this.validator = validator; return this; }

        /**
         * Whether MQTT 5 clients are served beside 3.1.1 (default false: an MQTT 5 CONNECT is
         * answered CONNACK 0x84 Unsupported Protocol Version, UNSUPPORTED_PROTOCOL_VERSION).
         */
        public Builder mqtt5(boolean on) { this.mqtt5 = on; return this; }

        public Builder application(MqttApplication application) { this.application = application; return this; }

        public Builder meters(MeterRegistry meters) { this.meters = meters; return this; }

        /**
         * The TCP balancers in front of this listener (config {@code cluster.balancers}): their
         * connections must start with a PROXY header, whose source is then the client's address in
         * logs and {@link MqttConnection#remoteAddress()}; everyone else must not send one. Empty
         * (the default): no PROXY protocol handling at all.
         */
        public Builder balancers(Balancers balancers) { this.balancers = Objects.requireNonNull(balancers); return this; }

        public MqttTlsServer build() {
            Objects.requireNonNull(tls, "tls");
            Objects.requireNonNull(validator, "validator");
            Objects.requireNonNull(application, "application");
            return new MqttTlsServer(this);
        }
    }
}
