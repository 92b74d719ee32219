package dev.imprint.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.pki.Pem;
import dev.imprint.server.up.Endpoints;
import dev.imprint.server.up.ServiceCredentials;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The CLI's client of the admin API: mutual TLS with the admin credential in {@code <data>/admin/},
 * trusting only Imprint's root, at the address in {@code <data>/endpoints.json}. Every failure
 * becomes a {@link CliException} with a sentence for the user.
 */
public final class AdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http;
    private final String base;

    private AdminClient(HttpClient http, String base) {
        this.http = http;
        this.base = base;
    }

    /** @throws CliException when the data folder has no endpoints or credential (server never started there) */
    public static AdminClient forDataDir(Path dataDir) {
        ServiceCredentials.Files f = ServiceCredentials.Files.in(dataDir);
        return forDataDir(dataDir, f.adminCert(), f.adminKey(), f.adminTrust());
    }

    /**
     * With the operator credential in {@code credentialDir} ({@code operator.crt}, {@code operator.key},
     * {@code trust.crt}, as {@code imprint operator add --out} writes them; or {@code admin.*} as in {@code <data>/admin/}).
     */
    public static AdminClient forDataDir(Path dataDir, Path credentialDir) {
        String stem = java.nio.file.Files.exists(credentialDir.resolve("operator.crt")) ? "operator" : "admin";
        if (!java.nio.file.Files.exists(credentialDir.resolve(stem + ".crt"))) {
            throw new CliException(ImprintCommand.USAGE, "no operator credential in " + credentialDir
                    + " (expected operator.crt and operator.key, as 'imprint operator add NAME --role R --out DIR' writes them)");
        }
        Path trust = credentialDir.resolve("trust.crt");
        return forDataDir(dataDir, credentialDir.resolve(stem + ".crt"), credentialDir.resolve(stem + ".key"),
                java.nio.file.Files.exists(trust) ? trust : ServiceCredentials.Files.in(dataDir).adminTrust());
    }

    private static AdminClient forDataDir(Path dataDir, Path certFile, Path keyFile, Path trustFile) {
        Endpoints endpoints;
        try {
            endpoints = Endpoints.read(dataDir);
        } catch (IOException e) {
            throw new CliException(ImprintCommand.UNREACHABLE, "no " + dataDir.resolve(Endpoints.FILE)
                    + ": start the server first with 'imprint up --data " + dataDir + "'");
        }
        try {
            List<X509Certificate> chain = Pem.readCertificates(certFile);
            PrivateKey key = Pem.readPrivateKey(keyFile, null);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("admin", key, new char[0], chain.toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry("imprint-root", Pem.readCertificate(trustFile));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            HttpClient client = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            return new AdminClient(client, endpoints.admin());
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new CliException(ImprintCommand.FAILED, "cannot load the operator credential from " + certFile.getParent() + ": " + e.getMessage());
        }
    }

    public JsonNode get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    public JsonNode delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    public JsonNode post(String path, Object body) {
        try {
            return send(HttpRequest.newBuilder(URI.create(base + path))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CliException(ImprintCommand.FAILED, "cannot encode request: " + e.getMessage());
        }
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpResponse<byte[]> resp;
        try {
            resp = http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw notRunning();
        } catch (SSLHandshakeException e) {
            throw new CliException(ImprintCommand.FAILED, "TLS handshake with " + base + " failed (" + e.getMessage()
                    + "); is another server on that port, or was the data folder re-initialised?");
        } catch (IOException e) {
            if (e.getCause() instanceof ConnectException) {
                throw notRunning();
            }
            throw new CliException(ImprintCommand.UNREACHABLE, "cannot reach " + base + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ImprintCommand.FAILED, "interrupted");
        }
        JsonNode body;
        try {
            body = resp.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(resp.body());
        } catch (IOException e) {
            throw new CliException(ImprintCommand.FAILED, "HTTP " + resp.statusCode() + " with a body that is not JSON");
        }
        if (resp.statusCode() >= 400) {
            throw new CliException(ImprintCommand.FAILED, body.path("code").asText("HTTP_" + resp.statusCode()) + ": "
                    + body.path("message").asText(""));
        }
        return body;
    }

    private CliException notRunning() {
        return new CliException(ImprintCommand.UNREACHABLE, "the server is not running (nothing answers at " + base
                + "); start it with 'imprint up'");
    }

}
