package dev.imprint.dps.protocol.https;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.dps.DpsException;
import dev.imprint.dps.DpsReason;
import dev.imprint.dps.protocol.Wire;
import dev.imprint.dps.registration.Operation;
import dev.imprint.dps.registration.Registrar;
import dev.imprint.mqtt.proxy.Balancers;
import dev.imprint.pki.LogSafe;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Azure DPS device API over HTTPS (Vert.x, BoringSSL through netty-tcnative when it loads):
 * <ul>
 *   <li>{@code PUT /{idScope}/registrations/{registrationId}/register?api-version=...}: registers
 *       (durably) and answers {@code 202 {"operationId", "status": "assigning"}} with Retry-After;</li>
 *   <li>{@code GET /{idScope}/registrations/{registrationId}/operations/{operationId}?api-version=...}:
 *       {@code 200} with the operation status and {@code registrationState}.</li>
 * </ul>
 * Refusals before an operation exists answer 400/401/404/429 with {@code {"errorCode",
 * "trackingId", "message", "reason"}} (429 with Retry-After). One server per core shares the
 * port, so TLS handshakes spread over the event loops.
 */
public final class HttpsDeviceApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpsDeviceApi.class);

    /** Largest registration body: a registration JSON with a CSR is a few KiB. */
    static final int MAX_BODY = 64 * 1024;

    private final Vertx vertx;
    private final List<HttpServer> servers;
    private final String engine;
    private final int port;
    /** BoringSSL's contexts, given back once the servers are closed; null with the JDK engine. */
    private final RefCountedOpenSsl openSsl;

    private HttpsDeviceApi(Vertx vertx, List<HttpServer> servers, String engine, int port, RefCountedOpenSsl openSsl) {
        this.vertx = vertx;
        this.servers = servers;
        this.engine = engine;
        this.port = port;
        this.openSsl = openSsl;
    }

    /**
     * Starts listening.
     *
     * @param balancers the TCP balancers in front (PROXY protocol); when not empty, {@code vertx} must
     *     come from {@link BalancedVertx#create} with the same list
     * @throws IllegalStateException when the address cannot be bound
     */
    public static HttpsDeviceApi start(Vertx vertx, String host, int port, PrivateKey key, List<X509Certificate> chain,
            String idScope, Registrar registrar, int retryAfterSeconds, Balancers balancers) {
        return start(vertx, host, port, key, chain, idScope, registrar, retryAfterSeconds, balancers, RequestDeadline.DEFAULT);
    }

    /** As above, with the deadline on each request's headers and body (see {@link RequestDeadline}). */
    public static HttpsDeviceApi start(Vertx vertx, String host, int port, PrivateKey key, List<X509Certificate> chain,
            String idScope, Registrar registrar, int retryAfterSeconds, Balancers balancers, java.time.Duration requestDeadline) {
        boolean openssl = OpenSSLEngineOptions.isAvailable();
        RefCountedOpenSsl openSsl = openssl ? new RefCountedOpenSsl() : null; // engines freed as connections end (issue 15)
        HttpServerOptions o = new HttpServerOptions()
                .setHost(host)
                .setPort(port)
                .setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setKeyValue(Buffer.buffer(pkcs8(key)))
                        .setCertValue(Buffer.buffer(pem(chain))))
                .setClientAuth(ClientAuth.REQUEST)
                .setTrustOptions(TrustOptions.wrap(new dev.imprint.pki.tls.AcceptAnyClientChain()))
                .setSslEngineOptions(openssl ? openSsl : new JdkSSLEngineOptions())
                .setTcpNoDelay(true)
                .setIdleTimeout(60);
        BalancedVertx.listenerOptions(vertx, o, balancers);
        Router router = Router.router(vertx);
        String base = "/" + idScope + "/registrations/:registrationId";
        // before every route: a failure (body too large, client gone, a bug) ends here, never in Vert.x's ERROR line
        router.route().failureHandler(HttpsDeviceApi::failed);
        router.put(base + "/register").handler(BodyHandler.create().setBodyLimit(MAX_BODY)).handler(ctx -> {
            List<X509Certificate> peer = peerChain(ctx);
            String id = ctx.pathParam("registrationId");
            blocking(vertx, ctx, retryAfterSeconds, () -> {
                Operation op = registrar.register(Wire.registerRequest(id, ctx.body().buffer() == null ? null : ctx.body().buffer().getBytes(), peer));
                return Wire.assigning(op);
            }, 202);
        });
        router.get(base + "/operations/:operationId").handler(ctx -> {
            List<X509Certificate> peer = peerChain(ctx);
            String id = ctx.pathParam("registrationId");
            String opId = ctx.pathParam("operationId");
            blocking(vertx, ctx, retryAfterSeconds, () -> Wire.status(registrar.status(id, opId, peer)), 200);
        });
        router.route().last().handler(ctx -> send(ctx, new DpsException(DpsReason.UNKNOWN_ID_SCOPE,
                "no DPS route " + ctx.request().method() + " " + ctx.request().path() + " (ID scope " + idScope + ")"), 0));
        List<HttpServer> servers = new ArrayList<>();
        int bound = port;
        try {
            if (bound == 0) {
                // Vert.x shares a port between servers by the requested port: pick a real one first
                try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
                    bound = probe.getLocalPort();
                }
            }
            for (int i = 0; i < Math.max(1, Runtime.getRuntime().availableProcessors()); i++) {
                HttpServer s = await(RequestDeadline.install(vertx.createHttpServer(o.setPort(bound)), requestDeadline, "dps", null)
                        .requestHandler(router).listen());
                bound = s.actualPort();
                servers.add(s);
            }
        } catch (Exception e) {
            servers.forEach(HttpServer::close);
            if (openSsl != null) {
                openSsl.release();
            }
            throw new IllegalStateException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        LOG.info("event=dps.https.listening address={}:{} engine={} balancers={}", host, bound, openssl ? "openssl" : "jdk",
                balancers.isEmpty() ? "-" : balancers);
        return new HttpsDeviceApi(vertx, servers, openssl ? "openssl" : "jdk", bound, openSsl);
    }

    private static void blocking(Vertx vertx, RoutingContext ctx, int retryAfter, Callable<ObjectNode> work, int okStatus) {
        vertx.executeBlocking(work, false).onComplete(ar -> {
            if (ar.succeeded()) {
                String body = ar.result().toString();
                ctx.response().setStatusCode(okStatus)
                        .putHeader("Content-Type", "application/json; charset=utf-8")
                        .putHeader("Retry-After", Integer.toString(retryAfter))
                        .end(body);
            } else {
                Throwable t = ar.cause();
                DpsException e = t instanceof DpsException d ? d : internal(t);
                send(ctx, e, e.retryAfterSeconds());
            }
        });
    }

    /**
     * Failures of the request itself, each with its own reason code: a body over the limit
     * (announced or sent) is the client's fault and answers 413 in the Azure error JSON; a client
     * that hung up mid-body gets no answer (there is nobody to answer); anything else is ours
     * (INTERNAL_ERROR, logged with its stack at WARN).
     */
    static void failed(RoutingContext ctx) {
        Throwable t = ctx.failure();
        if (ctx.statusCode() == 413) {
            send(ctx, new DpsException(DpsReason.BODY_TOO_LARGE, "request body over " + MAX_BODY / 1024 + " KiB"), 0);
        } else if (clientGone(ctx, t)) {
            LOG.info("event=dps.https.refused remote={} reason=CLIENT_GONE msg=\"{}\"", ctx.request().remoteAddress(), LogSafe.of(t));
            Metrics.counter("imprint.https.refusals", "server", "dps", "reason", "CLIENT_GONE").increment();
        } else if (t == null && ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
            send(ctx, new DpsException(DpsReason.BAD_REQUEST, "HTTP " + ctx.statusCode()), 0);
        } else {
            DpsException e = t instanceof DpsException d ? d : internal(t);
            send(ctx, e, e.retryAfterSeconds());
        }
    }

    /** True when the client closed the connection: nothing can be sent, and nothing is wrong on our side. */
    static boolean clientGone(RoutingContext ctx, Throwable t) {
        return t instanceof io.vertx.core.http.HttpClosedException || ctx.response().closed();
    }

    private static DpsException internal(Throwable t) {
        LOG.warn("event=dps.internal_error", t);
        return new DpsException(DpsReason.INTERNAL_ERROR, "internal error: " + t);
    }

    private static void send(RoutingContext ctx, DpsException e, int retryAfter) {
        // the device's address: behind a balancer, the source of its PROXY header (see BalancedVertx)
        LOG.info("event=dps.https.refused remote={} status={} reason={}", ctx.request().remoteAddress(), e.httpStatus(), e.reason());
        Metrics.counter("imprint.https.refusals", "server", "dps", "reason", e.reason()).increment();
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        var r = ctx.response().setStatusCode(e.httpStatus()).putHeader("Content-Type", "application/json; charset=utf-8");
        if (retryAfter > 0) {
            r.putHeader("Retry-After", Integer.toString(retryAfter));
        }
        r.end(Wire.error(e).toString());
    }

    static List<X509Certificate> peerChain(RoutingContext ctx) {
        HttpConnection conn = ctx.request().connection();
        if (conn == null || !conn.isSsl()) {
            return List.of();
        }
        try {
            List<Certificate> certs = conn.peerCertificates();
            List<X509Certificate> out = new ArrayList<>();
            if (certs != null) {
                for (Certificate c : certs) {
                    if (c instanceof X509Certificate x) {
                        out.add(x);
                    }
                }
            }
            return out;
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    static String pkcs8(PrivateKey key) {
        return dev.imprint.pki.Pem.write(key);
    }

    static String pem(List<X509Certificate> chain) {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : chain) {
            try {
                sb.append("-----BEGIN CERTIFICATE-----\n")
                        .append(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(c.getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException(e);
            }
        }
        return sb.toString();
    }

    private static <T> T await(Future<T> f) throws Exception {
        try {
            return f.toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    public int port() {
        return port;
    }

    /** "openssl" or "jdk". */
    public String engine() {
        return engine;
    }

    @Override
    public void close() {
        for (HttpServer s : servers) {
            try {
                s.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("event=dps.https.close msg=\"{}\"", e.toString());
            }
        }
        if (openSsl != null) {
            openSsl.release();
        }
    }
}
