package dev.imprint.dps.protocol.https;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.OpenSslServerSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.spi.tls.SslContextFactory;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Vert.x's BoringSSL engine with reference-counted native objects (issue 15). Vert.x's own
 * {@link OpenSSLEngineOptions} builds {@code SslProvider.OPENSSL} contexts, whose engines free
 * their native {@code SSL} in a finalizer: each HTTPS connection left native memory until G1
 * found the engine dead and the finalizer thread got to it. Here the contexts are
 * {@code OPENSSL_REFCNT}: Netty's {@code SslHandler} releases each connection's engine when the
 * connection ends, and {@link #release()} gives back the contexts' own references when the server
 * is closed. Same BoringSSL, same speed: the DPS's HTTPS device API keeps its handshake rate.
 *
 * <p>A subclass of {@link OpenSSLEngineOptions}, so Vert.x applies the same checks (BoringSSL
 * loadable, ALPN) and worker-thread settings. Lives here as the lowest module with Vert.x that
 * both the DPS and the server's HTTPS listener depend on.
 */
public final class RefCountedOpenSsl extends OpenSSLEngineOptions {
    /** Contexts built through this instance and its copies (Vert.x copies options): a handful per server. */
    private final List<SslContext> contexts;

    public RefCountedOpenSsl() {
        setSessionCacheEnabled(true);
        this.contexts = new CopyOnWriteArrayList<>();
    }

    private RefCountedOpenSsl(RefCountedOpenSsl other) {
        super(other);
        this.contexts = other.contexts;
    }

    @Override
    public RefCountedOpenSsl copy() {
        return new RefCountedOpenSsl(this);
    }

    @Override
    public SslContextFactory sslContextFactory() {
        return new Factory(isSessionCacheEnabled(), contexts);
    }

    /** The native contexts made so far; each counts 1 for itself and 1 per connection still open. */
    public List<ReferenceCounted> contexts() {
        return contexts.stream().map(c -> (ReferenceCounted) c).toList();
    }

    /** Gives back the contexts' own references: call once the server is closed (an engine still open keeps its own). */
    public void release() {
        for (SslContext c : contexts) {
            if (((ReferenceCounted) c).refCnt() > 0) {
                ReferenceCountUtil.release(c);
            }
        }
        contexts.clear();
    }

    /** What Vert.x's {@code DefaultSslContextFactory} does for OPENSSL, with OPENSSL_REFCNT (which that one refuses). */
    private static final class Factory implements SslContextFactory {
        private final boolean sessionCache;
        private final List<SslContext> sink;
        private Set<String> cipherSuites;
        private List<String> applicationProtocols;
        private boolean useAlpn;
        private ClientAuth clientAuth;
        private boolean forClient;
        private KeyManagerFactory kmf;
        private TrustManagerFactory tmf;

        Factory(boolean sessionCache, List<SslContext> sink) {
            this.sessionCache = sessionCache;
            this.sink = sink;
        }

        @Override
        public SslContextFactory useAlpn(boolean useAlpn) {
            this.useAlpn = useAlpn;
            return this;
        }

        @Override
        public SslContextFactory clientAuth(ClientAuth clientAuth) {
            this.clientAuth = clientAuth;
            return this;
        }

        @Override
        public SslContextFactory forClient(boolean forClient) {
            this.forClient = forClient;
            return this;
        }

        @Override
        public SslContextFactory keyMananagerFactory(KeyManagerFactory kmf) {
            this.kmf = kmf;
            return this;
        }

        @Override
        public SslContextFactory trustManagerFactory(TrustManagerFactory tmf) {
            this.tmf = tmf;
            return this;
        }

        @Override
        public SslContextFactory enabledCipherSuites(Set<String> enabledCipherSuites) {
            this.cipherSuites = enabledCipherSuites;
            return this;
        }

        @Override
        public SslContextFactory applicationProtocols(List<String> applicationProtocols) {
            this.applicationProtocols = applicationProtocols;
            return this;
        }

        @Override
        public SslContext create() throws SSLException {
            // A server's key and chain come from fixed options (Vert.x builds a new context when they are
            // updated), so the native key material is made once per context: without the caching factory
            // Netty re-encodes the chain to PEM and parses it and the private key again on every handshake.
            SslContextBuilder b = forClient ? SslContextBuilder.forClient()
                    : SslContextBuilder.forServer(kmf == null ? null : new OpenSslCachingX509KeyManagerFactory(kmf));
            if (forClient && kmf != null) {
                b.keyManager(kmf);
            }
            b.sslProvider(SslProvider.OPENSSL_REFCNT)
                    .ciphers(cipherSuites == null || cipherSuites.isEmpty() ? OpenSsl.availableOpenSslCipherSuites() : cipherSuites);
            if (tmf != null) {
                b.trustManager(tmf);
            }
            if (useAlpn && applicationProtocols != null && !applicationProtocols.isEmpty()) {
                // BoringSSL cannot send a fatal alert here: as Vert.x's own factory does
                b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, applicationProtocols));
            }
            if (clientAuth != null) {
                b.clientAuth(clientAuth);
            }
            SslContext ctx = b.build();
            if (ctx.sessionContext() instanceof OpenSslServerSessionContext s) {
                s.setSessionCacheEnabled(sessionCache);
            }
            sink.add(ctx);
            return ctx;
        }
    }
}
