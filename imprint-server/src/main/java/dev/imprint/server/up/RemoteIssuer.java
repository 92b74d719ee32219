package dev.imprint.server.up;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.dps.registration.OperationalIssuer;
import dev.imprint.pki.Pem;
import dev.imprint.server.config.ImprintConfig;
import dev.imprint.server.http.NodeRoutes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Operational certificates from a CA node over HTTPS, for a DPS node that holds no CA key:
 * mutual TLS with the node credential ({@link NodeCredentials#nodeClient}), trusting only
 * Imprint's root, to {@link NodeRoutes}. The CA's refusal keeps its reason code; a CA node that
 * cannot be reached is {@code CA_UNAVAILABLE}.
 */
public final class RemoteIssuer implements OperationalIssuer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http;
    private final URI endpoint;

    RemoteIssuer(HttpClient http, URI endpoint) {
        this.http = http;
        this.endpoint = endpoint;
    }

    /** @throws IOException when the node credential or the root is not in the data folder */
    public static RemoteIssuer forNode(ImprintConfig config) throws IOException {
        NodeCredentials.Pair cred = NodeCredentials.nodeClient(config.dataDir());
        X509Certificate root = Pem.readCertificate(config.dataDir().resolve("pki").resolve("root.crt"));
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("node", cred.key(), new char[0], cred.chain().toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry("imprint-root", root);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            HttpClient client = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
            return new RemoteIssuer(client, URI.create(config.httpsBaseUrl() + NodeRoutes.BASE + "/operational-certificates"));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load the node credential: " + e.getMessage(), e);
        }
    }

    @Override
    public List<X509Certificate> issue(X509Certificate current, byte[] csrDer) {
        HttpResponse<String> rsp;
        try {
            String body = JSON.writeValueAsString(Map.of("certificate", Pem.write(current), "csr", Base64.getEncoder().encodeToString(csrDer)));
            rsp = http.send(HttpRequest.newBuilder(endpoint).timeout(TIMEOUT).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new IssuanceRefused("CA_UNAVAILABLE", "no CA node answered at " + endpoint + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IssuanceRefused("CA_UNAVAILABLE", "interrupted while waiting for the CA node");
        }
        if (rsp.statusCode() == 200) {
            return Pem.readCertificates(rsp.body());
        }
        String code = "CA_UNAVAILABLE";
        String message = "CA node answered " + rsp.statusCode();
        try {
            JsonNode err = JSON.readTree(rsp.body());
            code = err.path("code").asText(code);
            message = err.path("message").asText(message);
        } catch (IOException ignored) {
            // not JSON: keep the status line
        }
        throw new IssuanceRefused(code, message);
    }
}
