package dev.imprint.server.http;

import dev.imprint.pki.LogSafe;
import dev.imprint.ca.CaException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.http.HttpClosedException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Failure handling shared by the routers: a CaException keeps its code; anything else is a 500 that is logged. */
public final class Http {
    private static final Logger LOG = LoggerFactory.getLogger(Http.class);

    private Http() {}

    private static void refused(RoutingContext ctx, MeterRegistry meters, String code, String message) {
        LOG.info("event=request.refused method={} path={} code={} msg=\"{}\"", ctx.request().method(), LogSafe.token(ctx.normalizedPath()),
                code, LogSafe.of(message));
        meters.counter("imprint.http.refusals", "code", code).increment();
    }

    static void fail(RoutingContext ctx, Throwable e) {
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof dev.imprint.server.access.AccessException ae) {
            LOG.info("event=request.refused method={} path={} code={} status={} msg=\"{}\"",
                    ctx.request().method(), LogSafe.token(ctx.normalizedPath()), ae.code(), ae.status(), LogSafe.of(ae.getMessage()));
            Responses.error(ctx, ae.status(), ae.code(), ae.getMessage());
        } else if (t instanceof CaException ce) {
            LOG.info("event=request.refused method={} path={} code={} status={} msg=\"{}\"",
                    ctx.request().method(), LogSafe.token(ctx.normalizedPath()), ce.code(), ce.httpStatus(), LogSafe.of(ce.getMessage()));
            Responses.error(ctx, ce.httpStatus(), ce.code(), ce.getMessage());
        } else if (t instanceof IllegalArgumentException iae) {
            LOG.info("event=request.refused method={} path={} code=BAD_REQUEST status=400 msg=\"{}\"",
                    ctx.request().method(), LogSafe.token(ctx.normalizedPath()), LogSafe.of(iae.getMessage()));
            Responses.error(ctx, 400, "BAD_REQUEST", iae.getMessage());
        } else {
            LOG.error("event=request.failed method={} path={} code=INTERNAL_ERROR", ctx.request().method(), LogSafe.token(ctx.normalizedPath()), t);
            Responses.error(ctx, 500, "INTERNAL_ERROR", "internal error; see the server log");
        }
    }

    /** Runs {@code call} off the event loop and answers its value as JSON with {@code status}, or its failure. */
    static void blocking(io.vertx.core.Vertx vertx, RoutingContext ctx, int status, java.util.concurrent.Callable<Object> call) {
        vertx.executeBlocking(call, false).onComplete(ar -> {
            if (ar.succeeded()) {
                Responses.json(ctx, status, ar.result());
            } else {
                fail(ctx, ar.cause());
            }
        });
    }

    /** A whole-number query parameter in {@code min..max}, {@code dflt} when absent. */
    static int intParam(RoutingContext ctx, String name, int dflt, int min, int max) {
        String v = ctx.queryParams().get(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("query parameter '" + name + "' must be a whole number in " + min + ".." + max);
    }

    /** A positive whole-number query parameter, {@code dflt} when absent. */
    static long longParam(RoutingContext ctx, String name, long dflt) {
        String v = ctx.queryParams().get(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("query parameter '" + name + "' must be a positive whole number");
    }

    /** {@link #jsonErrors(Router, MeterRegistry)} counting in Micrometer's global registry. */
    public static void jsonErrors(Router r) {
        jsonErrors(r, Metrics.globalRegistry);
    }

    /**
     * JSON bodies for 404, 405, 413 and unexpected failures, so no client ever sees an HTML page,
     * and no failure a stranger can cause at will reaches Vert.x's own ERROR line: a body over a
     * route's limit (announced or sent) is BODY_TOO_LARGE, a client that hung up mid-request is
     * CLIENT_GONE (nothing to answer), both logged at INFO and counted in
     * {@code imprint.http.refusals{code}}.
     */
    public static void jsonErrors(Router r, MeterRegistry meters) {
        // a failure handler, not an error handler by status: BodyHandler fails a broken upload with
        // status 200, for which Vert.x has no handler but its own "Unhandled exception" ERROR line
        r.route().failureHandler(ctx -> {
            if (ctx.failure() instanceof HttpClosedException || ctx.response().closed()) {
                refused(ctx, meters, "CLIENT_GONE", String.valueOf(ctx.failure()));
            } else if (ctx.statusCode() == 200 || ctx.statusCode() == -1 && ctx.failure() != null) {
                fail(ctx, ctx.failure());
            } else {
                ctx.next();
            }
        });
        r.errorHandler(404, ctx -> Responses.error(ctx, 404, "NOT_FOUND", "no such resource: " + ctx.request().path()));
        r.errorHandler(405, ctx -> Responses.error(ctx, 405, "METHOD_NOT_ALLOWED", ctx.request().method() + " not allowed here"));
        r.errorHandler(413, ctx -> {
            refused(ctx, meters, "BODY_TOO_LARGE", "request body too large");
            Responses.error(ctx, 413, "BODY_TOO_LARGE", "request body too large");
        });
        r.errorHandler(400, ctx -> Responses.error(ctx, 400, "BAD_REQUEST", "bad request"));
        r.errorHandler(500, ctx -> {
            if (ctx.failure() != null) {
                fail(ctx, ctx.failure());
            } else {
                Responses.error(ctx, 500, "INTERNAL_ERROR", "internal error");
            }
        });
    }
}
