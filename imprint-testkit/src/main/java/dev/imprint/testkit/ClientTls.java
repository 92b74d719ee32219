package dev.imprint.testkit;

import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A JDK TLS client context for tests: presents a device's chain, trusts one root. */
public final class ClientTls {
    private ClientTls() {}

    /** A client without a certificate (anonymous), trusting {@code trust} only. */
    public static SSLContext anonymous(X509Certificate trust) {
        return context(null, List.of(), trust);
    }

    /** @param chain the client's certificate first, then its issuers; key null: no client certificate */
    public static SSLContext context(PrivateKey key, List<X509Certificate> chain, X509Certificate trust) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            if (key != null) {
                ks.setKeyEntry("device", key, new char[0], chain.toArray(X509Certificate[]::new));
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry("root", trust);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException("cannot build a TLS client context: " + e.getMessage(), e);
        }
    }
}
