package dev.imprint.pki.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS layer's client trust manager for Imprint's servers (HTTPS, DPS, hubs): accepts any
 * client chain. The handshake still proves that the client holds the key of its certificate
 * (CertificateVerify, checked natively by BoringSSL: validation step 1); the server then runs
 * the chain through the shared {@code CertificateValidator} (steps 2-5), so a refused client
 * gets a clear error with a reason code (HTTP 401/403, a CONNACK return code) instead of an
 * opaque handshake alert. Never use it where the application does not validate the chain
 * afterwards.
 */
public final class AcceptAnyClientChain extends X509ExtendedTrustManager {
    private static final X509Certificate[] NONE = new X509Certificate[0];

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("server-side trust manager only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("server-side trust manager only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("server-side trust manager only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return NONE;
    }
}
