package dev.imprint.mqtt;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of mutual TLS for MQTT: BoringSSL through netty-tcnative when it loads
 * (handshakes several times cheaper than the JDK engine), else the JDK engine. A client
 * certificate is required; any chain passes the TLS layer (see {@link dev.imprint.pki.tls.AcceptAnyClientChain})
 * and is validated right after the handshake.
 *
 * @param context the Netty context to build SslHandlers from
 * @param engine "openssl" or "jdk"
 */
public record ServerTls(SslContext context, String engine) {
    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

    /**
     * @param chain the server certificate first, then its intermediates
     * @param preferNative false forces the JDK engine
     * @throws IllegalStateException when the key and chain cannot make a TLS context
     */
    public static ServerTls create(PrivateKey key, List<X509Certificate> chain, boolean preferNative) {
        boolean openssl = preferNative && OpenSsl.isAvailable();
        if (preferNative && !openssl) {
            LOG.warn("event=tls.engine engine=jdk msg=\"netty-tcnative BoringSSL cannot load ({}); using the JDK TLS engine\"",
                    String.valueOf(OpenSsl.unavailabilityCause()));
        }
        try {
            SslContext ctx = SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
                    // reference-counted: each connection's engine is freed by its SslHandler when the connection
                    // ends, not by a finalizer long after (issue 15); the server releases the context on close
                    .sslProvider(openssl ? SslProvider.OPENSSL_REFCNT : SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .clientAuth(ClientAuth.REQUIRE)
                    .trustManager(new dev.imprint.pki.tls.AcceptAnyClientChain())
                    .build();
            return new ServerTls(ctx, openssl ? "openssl" : "jdk");
        } catch (SSLException | RuntimeException e) {
            throw new IllegalStateException("cannot build the MQTT TLS context: " + e.getMessage(), e);
        }
    }
}
