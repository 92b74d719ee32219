package dev.imprint.bench.est;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.pki.Pem;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Just enough of the admin API (mTLS with {@code <data>/admin/}) to create the benchmark's stations. */
final class AdminApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http;
    private final String base;
    final JsonNode endpoints;

    AdminApi(Path data) throws Exception {
        endpoints = JSON.readTree(data.resolve("endpoints.json").toFile());
        base = endpoints.path("admin").asText();
        Path admin = data.resolve("admin");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("admin", Pem.readPrivateKey(admin.resolve("admin.key"), null), new char[0],
                Pem.readCertificates(admin.resolve("admin.crt")).toArray(X509Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("root", Pem.readCertificate(admin.resolve("trust.crt")));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        http = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** Station credential as PEM strings. */
    record StationCredential(String name, String certificate, String key, String chain) {}

    StationCredential createStation(String name, String idPattern) throws Exception {
        byte[] body = JSON.writeValueAsBytes(Map.of("name", name, "idPattern", idPattern, "quota", 0, "rate", 0));
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + "/stations"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        JsonNode n = JSON.readTree(r.body());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("creating station " + name + ": HTTP " + r.statusCode() + " " + n);
        }
        return new StationCredential(name, n.path("certificate").asText(), n.path("key").asText(), n.path("chain").asText());
    }
}
