package dev.imprint.server.http;

import dev.imprint.pki.LogSafe;
import dev.imprint.ca.est.EstResponse;
import dev.imprint.ca.est.EstService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * EST (RFC 7030) under {@code /.well-known/est/} and {@code /.well-known/est/<label>/}: the
 * transport around {@link EstService}. Enrollments block on the CA's group commit, so they run
 * on the worker pool, never on an event loop. The TLS peer chain is handed to the CA unvalidated:
 * the CA decides whether it is a station or a device and answers with a reason code.
 */
public final class EstRoutes {
    public static final String BASE = "/.well-known/est";
    private static final Logger LOG = LoggerFactory.getLogger(EstRoutes.class);
    private static final int MAX_CSR_BODY = 64 * 1024;
    private static final java.util.regex.Pattern CODE = java.util.regex.Pattern.compile("\"code\"\\s*:\\s*\"([A-Z_0-9]+)\"");

    private EstRoutes() {}

    public static void mount(Router r, Vertx vertx, EstService est, MeterRegistry meters) {
        r.route(BASE + "/*").handler(BodyHandler.create().setBodyLimit(MAX_CSR_BODY));
        for (String prefix : List.of(BASE, BASE + "/:label")) {
            r.get(prefix + "/cacerts").handler(ctx -> run(vertx, ctx, meters, "cacerts", est::cacerts));
            r.get(prefix + "/csrattrs").handler(ctx -> run(vertx, ctx, meters, "csrattrs", est::csrattrs));
            r.post(prefix + "/simpleenroll").handler(ctx -> enroll(vertx, ctx, meters, "simpleenroll", est::simpleEnrollAsync));
            r.post(prefix + "/simplereenroll").handler(ctx -> enroll(vertx, ctx, meters, "simplereenroll", est::simpleReenrollAsync));
        }
    }

    /**
     * Validation, CSR checks and signing run on a worker thread; the worker is released as soon
     * as the certificate is queued for the group commit, and the response is written when the
     * commit completes, so a few workers keep many enrollments in flight.
     */
    private static void enroll(Vertx vertx, RoutingContext ctx, MeterRegistry meters, String op,
            BiFunction<byte[], List<X509Certificate>, CompletableFuture<EstResponse>> call) {
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        List<X509Certificate> peer = PeerChain.of(ctx);
        Context context = vertx.getOrCreateContext();
        Timer.Sample sample = Timer.start(meters);
        respond(ctx, meters, op, sample, vertx.executeBlocking(() -> call.apply(body, peer), false)
                .compose(cf -> Future.fromCompletionStage(cf, context)));
    }

    private static void run(Vertx vertx, RoutingContext ctx, MeterRegistry meters, String op, Callable<EstResponse> call) {
        respond(ctx, meters, op, Timer.start(meters), vertx.executeBlocking(call, false));
    }

    private static void respond(RoutingContext ctx, MeterRegistry meters, String op, Timer.Sample sample, Future<EstResponse> result) {
        result.onComplete(ar -> {
            if (ar.failed()) {
                sample.stop(meters.timer("imprint.est.requests", "op", op, "status", "500"));
                Http.fail(ctx, ar.cause());
                return;
            }
            EstResponse resp = ar.result();
            sample.stop(meters.timer("imprint.est.requests", "op", op, "status", Integer.toString(resp.status())));
            if (resp.status() >= 400) {
                String body = new String(resp.body(), StandardCharsets.UTF_8);
                java.util.regex.Matcher m = CODE.matcher(body);
                String code = m.find() ? m.group(1) : "HTTP_" + resp.status();
                meters.counter("imprint.est.refusals", "op", op, "code", code).increment();
                LOG.info("event=est.refused op={} status={} code={} body=\"{}\"", op, resp.status(), code, LogSafe.of(body));
            }
            Responses.bytes(ctx, resp.status(), resp.contentType(), resp.headers(), resp.body());
        });
    }
}
