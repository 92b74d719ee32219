package dev.imprint.device.cloud;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The device's TLS client: presents the identity's chain, trusts only the configured bundle,
 * checks the server's name (IP SANs for IP literals). BoringSSL when it loads and the key is in
 * memory; the JDK engine for a token key (it signs through the key's own provider).
 */
final class Tls {
    private Tls() {}

    // one trust manager per trust bundle: building it per connection was a measurable share of a device's CPU
    private static final java.util.Map<List<X509Certificate>, TrustManagerFactory> TRUST = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A context for one connection. BoringSSL's is reference-counted: whoever opens the
     * connection gives it back with {@link #release} once the handler exists (the engine holds its
     * own reference until the channel closes), so the native SSL_CTX and key are freed when the
     * connection ends, not when a finalizer gets to them (issue 15: ~18 KB of native memory per
     * rotation piled up behind the garbage collector).
     */
    static SslContext client(Identity id, List<X509Certificate> trust) {
        try {
            SslContextBuilder b = SslContextBuilder.forClient().trustManager(TRUST.computeIfAbsent(trust, Tls::trustManager));
            // a KeyManager, not (key, chain): Netty would otherwise build a password-protected PKCS#12
            // store per context (PBKDF2, ~10 ms of CPU each); this hands the key to BoringSSL directly
            b.keyManager(new OneKey(id.key().privateKey(), id.chain().toArray(X509Certificate[]::new)));
            b.sslProvider(id.key().inMemory() && OpenSsl.isAvailable() ? SslProvider.OPENSSL_REFCNT : SslProvider.JDK);
            return b.protocols("TLSv1.3", "TLSv1.2").build();
        } catch (SSLException e) {
            throw CloudException.refused("TLS_CONFIG", "cannot build the TLS client: " + e.getMessage());
        }
    }

    /** Gives back the opener's reference to {@code ctx} (a no-op for the JDK's context, which owns nothing native). */
    static void release(SslContext ctx) {
        ReferenceCountUtil.release(ctx);
    }

    private static TrustManagerFactory trustManager(List<X509Certificate> trust) {
        try {
            java.security.KeyStore ks = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            ks.load(null, null);
            for (int i = 0; i < trust.size(); i++) {
                ks.setCertificateEntry("trust-" + i, trust.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return tmf;
        } catch (java.security.GeneralSecurityException | java.io.IOException e) {
            throw CloudException.refused("TLS_CONFIG", "cannot load the trust bundle: " + e.getMessage());
        }
    }

    /** A handler that checks the server's host name against its certificate. */
    static SslHandler handler(SslContext ctx, ByteBufAllocator alloc, String host, int port) {
        SslHandler h = ctx.newHandler(alloc, host, port);
        SSLEngine engine = h.engine();
        SSLParameters p = engine.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(p);
        return h;
    }

    /** One key and chain, whatever provider holds the key. */
    private static final class OneKey extends X509ExtendedKeyManager {
        private final PrivateKey key;
        private final X509Certificate[] chain;

        OneKey(PrivateKey key, X509Certificate[] chain) {
            this.key = key;
            this.chain = chain;
        }

        @Override public String[] getClientAliases(String keyType, Principal[] issuers) { return new String[] {"device"}; }
        @Override public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) { return "device"; }
        @Override public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) { return "device"; }
        @Override public String[] getServerAliases(String keyType, Principal[] issuers) { return null; }
        @Override public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) { return null; }
        @Override public X509Certificate[] getCertificateChain(String alias) { return chain.clone(); }
        @Override public PrivateKey getPrivateKey(String alias) { return key; }
    }
}
