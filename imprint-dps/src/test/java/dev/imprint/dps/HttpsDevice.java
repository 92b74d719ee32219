package dev.imprint.dps;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A device (or an anonymous caller) speaking the DPS HTTPS device API with the JDK client: its own certificate, the test root trusted. */
final class HttpsDevice {
    private final HttpClient client;

    HttpsDevice(DpsFixture.Device d, X509Certificate root) {
        this.client = client(d, root);
    }

    /** A caller with no client certificate (it trusts the server, but proves nothing itself). */
    static HttpsDevice anonymous(X509Certificate root) {
        return new HttpsDevice(null, root);
    }

    /** PUT .../registrations/{id}/register with {@code body}. */
    HttpResponse<String> register(String host, int port, String id, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base(host, port, id) + "/register?api-version=2021-06-01"))
                .header("Content-Type", "application/json; charset=utf-8")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET .../registrations/{id}/operations/{operationId}. */
    HttpResponse<String> poll(String host, int port, String id, String operationId) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base(host, port, id) + "/operations/" + operationId
                + "?api-version=2021-06-01")).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String base(String host, int port, String id) {
        return "https://" + host + ":" + port + "/" + DpsFixture.ID_SCOPE + "/registrations/" + id;
    }

    private static javax.net.ssl.KeyManager[] keys(DpsFixture.Device d) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("d", d.key().getPrivate(), "x".toCharArray(), d.tlsChain().toArray(X509Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "x".toCharArray());
        return kmf.getKeyManagers();
    }

    private static HttpClient client(DpsFixture.Device d, X509Certificate root) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("root", root);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(d == null ? null : keys(d), tmf.getTrustManagers(), null);
            return HttpClient.newBuilder().sslContext(ctx).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
