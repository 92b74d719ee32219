package dev.imprint.server.http;

import dev.imprint.dps.protocol.https.BalancedVertx;
import dev.imprint.dps.protocol.https.RefCountedOpenSsl;
import dev.imprint.mqtt.proxy.Balancers;
import dev.imprint.server.config.ImprintConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTPS server options: BoringSSL through netty-tcnative when it loads (handshakes are several
 * times cheaper than the JDK engine's), else the JDK engine; client certificates requested, not
 * required, and accepted at the TLS layer (see {@link dev.imprint.pki.tls.AcceptAnyClientChain}).
 */
public final class TlsSetup {
    private static final Logger LOG = LoggerFactory.getLogger(TlsSetup.class);

    private TlsSetup() {}

    /** The engine actually used: "openssl" or "jdk". */
    public record Options(HttpServerOptions options, String engine) {}

    /**
     * @param vertx the Vertx the listener runs on; with balancers it must come from
     *     {@link BalancedVertx#create} with the same list (the PROXY header is then required from a
     *     balancer and refused from anyone else, see there)
     * @param balancers {@code cluster.balancers}; none: no PROXY protocol, as before
     * @throws IllegalStateException when {@code engine} is OPENSSL and BoringSSL cannot load, or
     *     balancers are given with a Vertx that cannot enforce them
     */
    public static Options httpsOptions(Vertx vertx, ImprintConfig.Https https, Balancers balancers, Path certFile, Path keyFile) {
        HttpServerOptions o = new HttpServerOptions()
                .setHost(https.listener().address())
                .setPort(https.listener().port())
                .setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certFile.toString()).setKeyPath(keyFile.toString()))
                .setClientAuth(ClientAuth.REQUEST)
                .setTrustOptions(TrustOptions.wrap(new dev.imprint.pki.tls.AcceptAnyClientChain()))
                .setTcpNoDelay(true)
                .setIdleTimeout(120);
        boolean openSslAvailable = OpenSSLEngineOptions.isAvailable();
        String engine;
        if (https.engine() == ImprintConfig.TlsEngine.JDK) {
            engine = "jdk";
        } else if (openSslAvailable) {
            engine = "openssl";
        } else if (https.engine() == ImprintConfig.TlsEngine.OPENSSL) {
            throw new IllegalStateException("https.engine=openssl but netty-tcnative BoringSSL cannot load on this platform");
        } else {
            engine = "jdk";
            LOG.warn("event=tls.engine engine=jdk msg=\"netty-tcnative BoringSSL cannot load; using the JDK TLS engine (slower handshakes)\"");
        }
        // reference-counted: each connection's engine is freed when it ends, not by a finalizer (issue 15); the
        // context lives as long as the process's one listener
        o.setSslEngineOptions("openssl".equals(engine) ? new RefCountedOpenSsl() : new JdkSSLEngineOptions());
        BalancedVertx.listenerOptions(vertx, o, balancers);
        return new Options(o, engine);
    }
}
