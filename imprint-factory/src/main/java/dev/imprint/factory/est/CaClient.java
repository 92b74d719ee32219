package dev.imprint.factory.est;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.factory.FactoryException;
import dev.imprint.pki.Pem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;

/**
 * The station's client of the CA: EST {@code simpleenroll} and {@code cacerts}, and the factory
 * ledger endpoints, all over mutual TLS with the station credential on persistent HTTP/1.1
 * connections, trusting only Imprint's root. Thread-safe.
 */
public final class CaClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** How long a rate-limited enrollment keeps retrying before the device is refused. */
    private static final Duration RATE_PATIENCE = Duration.ofSeconds(20);

    private final HttpClient http;
    private final String est;
    private final String factory;

    public CaClient(StationCredential station, String estUrl) {
        this.est = estUrl.endsWith("/") ? estUrl.substring(0, estUrl.length() - 1) : estUrl;
        URI u = URI.create(est);
        this.factory = u.getScheme() + "://" + u.getRawAuthority() + "/factory/v1";
        this.http = HttpClient.newBuilder().sslContext(ssl(station)).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static SSLContext ssl(StationCredential s) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(s.certificate());
            chain.addAll(s.chain());
            ks.setKeyEntry("station", s.key(), new char[0], chain.toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry("imprint-root", s.root());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new FactoryException("CREDENTIAL_INVALID", "cannot build TLS from the station credential: " + e.getMessage(), e);
        }
    }

    /** The CA certificates (issuing CAs and root). @throws FactoryException with the CA's code or CA_UNREACHABLE */
    public List<X509Certificate> cacerts() {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(est + "/cacerts")).GET());
        check(r);
        return certsOnly(r.body());
    }

    /**
     * Enrolls one CSR; waits out RATE_EXCEEDED (the station's rate holds, the line slows down).
     *
     * @return the issued certificate
     * @throws FactoryException with the CA's reason code (ID_NOT_ALLOWED, STATION_REVOKED, ...)
     */
    public X509Certificate enroll(byte[] csrDer) {
        byte[] body = Base64.getMimeEncoder().encode(csrDer);
        long giveUp = System.nanoTime() + RATE_PATIENCE.toNanos();
        long backoff = 20;
        while (true) {
            HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(est + "/simpleenroll"))
                    .header("Content-Type", "application/pkcs10")
                    .header("Content-Transfer-Encoding", "base64")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
            boolean retry = r.statusCode() == 202 || r.statusCode() == 429;
            if (retry && System.nanoTime() < giveUp) {
                long wait = r.headers().firstValue("Retry-After").map(CaClient::seconds).orElse(backoff);
                sleep(Math.min(wait, 1000));
                backoff = Math.min(backoff * 2, 500);
                continue;
            }
            check(r);
            List<X509Certificate> certs = certsOnly(r.body());
            if (certs.isEmpty()) {
                throw new FactoryException("EST_BAD_RESPONSE", "simpleenroll answered without a certificate");
            }
            return certs.get(0);
        }
    }

    /** One ledger confirmation. */
    public record Confirmation(String deviceId, String serialHex, java.time.Instant provisionedAt) {}

    /** Records provisioned devices at the CA (idempotent by serial). @throws FactoryException with the CA's code */
    public int confirm(String batch, List<Confirmation> list) {
        ObjectNode body = JSON.createObjectNode();
        body.put("batch", batch);
        ArrayNode devices = body.putArray("devices");
        for (Confirmation c : list) {
            devices.addObject().put("deviceId", c.deviceId()).put("serial", c.serialHex()).put("provisionedAt", c.provisionedAt().toString());
        }
        HttpResponse<byte[]> r;
        try {
            r = send(HttpRequest.newBuilder(URI.create(factory + "/ledger")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        check(r);
        return json(r).path("recorded").asInt();
    }

    /** The certificate the CA already issued to this station for {@code deviceId}, if any. */
    public Optional<X509Certificate> issuedTo(String deviceId) {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(factory + "/certificates/"
                + java.net.URLEncoder.encode(deviceId, StandardCharsets.UTF_8))).GET());
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        check(r);
        return Optional.of(Pem.readCertificates(json(r).path("certificate").asText()).get(0));
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder b) {
        try {
            return http.send(b.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new FactoryException("CA_UNREACHABLE", "cannot reach the CA at " + est + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FactoryException("INTERRUPTED", "interrupted");
        }
    }

    private static void check(HttpResponse<byte[]> r) {
        if (r.statusCode() / 100 == 2) {
            return;
        }
        String code = "HTTP_" + r.statusCode();
        String message = new String(r.body(), StandardCharsets.UTF_8);
        try {
            JsonNode n = JSON.readTree(r.body());
            if (n != null && n.hasNonNull("code")) {
                code = n.path("code").asText();
                message = n.path("message").asText();
            }
        } catch (IOException e) {
            // not JSON: keep the status
        }
        throw new FactoryException(code, message);
    }

    private static JsonNode json(HttpResponse<byte[]> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new FactoryException("CA_BAD_RESPONSE", "the CA answered with a body that is not JSON");
        }
    }

    static List<X509Certificate> certsOnly(byte[] base64) {
        try {
            byte[] der = Base64.getMimeDecoder().decode(base64);
            CMSSignedData cms = new CMSSignedData(der);
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            List<X509Certificate> out = new ArrayList<>();
            for (X509CertificateHolder h : cms.getCertificates().getMatches(null)) {
                out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(h.getEncoded())));
            }
            return out;
        } catch (CMSException | IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new FactoryException("EST_BAD_RESPONSE", "EST response is not certs-only CMS: " + e.getMessage(), e);
        }
    }

    private static long seconds(String v) {
        try {
            return Long.parseLong(v.trim()) * 1000;
        } catch (NumberFormatException e) {
            return 100;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FactoryException("INTERRUPTED", "interrupted");
        }
    }
}
