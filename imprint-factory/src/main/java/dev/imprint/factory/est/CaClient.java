package dev.imprint.factory.est;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.factory.FactoryException;
import dev.imprint.pki.Pem;
import java.io.IOException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;

/**
 * The station's client of the CA: EST {@code simpleenroll} and {@code cacerts}, and the factory
 * ledger endpoints, all over mutual TLS with the station credential on persistent HTTP/1.1
 * connections (Vert.x on BoringSSL when its native part loads, else the JDK engine), trusting
 * only Imprint's root. Calls block the calling thread (never call them on a Vert.x thread).
 * Thread-safe; close it to stop its event loop.
 */
public final class CaClient implements AutoCloseable {
    /** Persistent connections to the CA: enough for a line of 64 parallel conversations plus the ledger. */
    private static final int CONNECTIONS = 32;

    /** A response: status, Retry-After (or null) and body. */
    private record Response(int statusCode, String retryAfter, byte[] body) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Default of how long a sent request may go without any byte of its answer. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
    /** Longest wait for a pooled connection (or a new one). */
    private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** How long a rate-limited enrollment keeps retrying before the device is refused. */
    private static final Duration RATE_PATIENCE = Duration.ofSeconds(20);

    private final Vertx vertx;
    private final HttpClient http;
    private final String est;
    private final String estPath;
    private final String factoryPath;
    private final long answerMillis;
    private final long connectMillis;

    public CaClient(StationCredential station, String estUrl) {
        this(station, estUrl, DEFAULT_TIMEOUT);
    }

    /** @param timeout how long a sent request may wait for its answer (the pool wait is bounded by the same, at most 10 s) */
    public CaClient(StationCredential station, String estUrl, Duration timeout) {
        this.answerMillis = timeout.toMillis();
        this.connectMillis = Math.min(timeout.toMillis(), MAX_CONNECT_TIMEOUT.toMillis());
        this.est = estUrl.endsWith("/") ? estUrl.substring(0, estUrl.length() - 1) : estUrl;
        URI u = URI.create(est);
        if (!"https".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
            throw new FactoryException("CA_UNREACHABLE", "the EST URL must be https://HOST:PORT/...: " + estUrl);
        }
        this.estPath = u.getRawPath();
        this.factoryPath = "/factory/v1";
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setInternalBlockingPoolSize(1));
        HttpClientOptions o = new HttpClientOptions()
                .setSsl(true)
                .setKeyCertOptions(keyCert(station))
                .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(Pem.write(station.root()))))
                .setKeepAlive(true)
                .setConnectTimeout(5000)
                .setDefaultHost(u.getHost())
                .setDefaultPort(u.getPort() > 0 ? u.getPort() : 443);
        if (OpenSSLEngineOptions.isAvailable()) {
            o.setSslEngineOptions(new OpenSSLEngineOptions());
        }
        this.http = vertx.createHttpClient(o, new PoolOptions().setHttp1MaxSize(CONNECTIONS));
    }

    private static PemKeyCertOptions keyCert(StationCredential s) {
        try {
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(s.certificate());
            chain.addAll(s.chain());
            return new PemKeyCertOptions().setCertValue(Buffer.buffer(Pem.write(chain))).setKeyValue(Buffer.buffer(Pem.write(s.key())));
        } catch (RuntimeException e) {
            throw new FactoryException("CREDENTIAL_INVALID", "cannot build TLS from the station credential: " + e.getMessage(), e);
        }
    }

    /** The CA certificates (issuing CAs and root). @throws FactoryException with the CA's code or CA_UNREACHABLE */
    public List<X509Certificate> cacerts() {
        Response r = send(HttpMethod.GET, estPath + "/cacerts", null, null);
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
        Buffer body = Buffer.buffer(Base64.getMimeEncoder().encode(csrDer));
        long giveUp = System.nanoTime() + RATE_PATIENCE.toNanos();
        long backoff = 20;
        while (true) {
            Response r = send(HttpMethod.POST, estPath + "/simpleenroll", "application/pkcs10", body);
            boolean retry = r.statusCode() == 202 || r.statusCode() == 429;
            if (retry && System.nanoTime() < giveUp) {
                long wait = r.retryAfter() != null ? seconds(r.retryAfter()) : backoff;
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
        Response r;
        try {
            r = send(HttpMethod.POST, factoryPath + "/ledger", "application/json", Buffer.buffer(JSON.writeValueAsBytes(body)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        check(r);
        return json(r).path("recorded").asInt();
    }

    /** The certificate the CA already issued to this station for {@code deviceId}, if any. */
    public Optional<X509Certificate> issuedTo(String deviceId) {
        Response r = send(HttpMethod.GET, factoryPath + "/certificates/"
                + java.net.URLEncoder.encode(deviceId, StandardCharsets.UTF_8), null, null);
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        check(r);
        return Optional.of(Pem.readCertificates(json(r).path("certificate").asText()).get(0));
    }

    private Response send(HttpMethod method, String path, String contentType, Buffer body) {
        // Each bound is explicit: waiting for a pooled connection, then for the answer, then the
        // caller's own deadline a little later, so a lost answer ends in an error naming its phase.
        RequestOptions ro = new RequestOptions().setMethod(method).setURI(path)
                .setConnectTimeout(connectMillis).setIdleTimeout(answerMillis);
        if (contentType != null) {
            ro.putHeader("Content-Type", contentType);
            if (contentType.equals("application/pkcs10")) {
                ro.putHeader("Content-Transfer-Encoding", "base64");
            }
        }
        java.util.concurrent.atomic.AtomicReference<String> phase = new java.util.concurrent.atomic.AtomicReference<>("waiting for a connection");
        Future<Response> f = http.request(ro)
                .compose(req -> {
                    phase.set("request sent, no response");
                    return body == null ? req.send() : req.send(body);
                })
                .compose(resp -> {
                    phase.set("response started, body incomplete");
                    return resp.body().map(b -> new Response(resp.statusCode(), resp.getHeader("Retry-After"), b.getBytes()));
                });
        try {
            return f.toCompletionStage().toCompletableFuture()
                    .get(connectMillis + answerMillis + 2000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new FactoryException("CA_UNREACHABLE", "cannot reach the CA at " + est + " (" + phase.get() + "): " + c, c);
        } catch (TimeoutException e) {
            throw new FactoryException("CA_UNREACHABLE", "the CA at " + est + " did not answer in time (" + phase.get() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FactoryException("INTERRUPTED", "interrupted");
        }
    }

    /** Closes the connections and stops the client's event loop. */
    @Override
    public void close() {
        try {
            http.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        } finally {
            vertx.close();
        }
    }

    private static void check(Response r) {
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

    private static JsonNode json(Response r) {
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
            List<X509Certificate> out = new ArrayList<>();
            for (X509CertificateHolder h : cms.getCertificates().getMatches(null)) {
                out.add(Pem.certificate(h.getEncoded()));
            }
            return out;
        } catch (CMSException | IOException | IllegalArgumentException e) {
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
