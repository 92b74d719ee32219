package dev.imprint.server.shadow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.server.http.AdminRoutes;
import dev.imprint.server.http.Responses;
import dev.imprint.shadow.ShadowException;
import dev.imprint.shadow.Shadows;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Device Shadow in the admin API (mounted after {@link AdminRoutes}, so the admin credential is
 * already checked), as AWS's HTTPS shadow API: {@code GET|POST|DELETE .../devices/{id}/shadow}
 * for the classic shadow, {@code .../shadows/{name}} for a named one, {@code GET .../shadows} to
 * list them. Bodies and errors in AWS's shape; an error's HTTP status is its {@code code}, and
 * {@code reason} is ours.
 */
public final class ShadowRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(ShadowRoutes.class);
    private static final String DEV = AdminRoutes.BASE + "/devices/:id";

    private ShadowRoutes() {}

    public static void mount(Router r, Vertx vertx, Shadows shadows) {
        for (String path : new String[] {DEV + "/shadow", DEV + "/shadows/:name"}) {
            r.get(path).handler(ctx -> blocking(vertx, ctx, () -> shadows.get(id(ctx), name(ctx), token(ctx))));
            r.post(path).handler(ctx -> blocking(vertx, ctx, () -> shadows.update(id(ctx), name(ctx), body(ctx)).accepted()));
            r.delete(path).handler(ctx -> blocking(vertx, ctx, () -> shadows.delete(id(ctx), name(ctx), token(ctx))));
        }
        r.get(DEV + "/shadows").handler(ctx -> blocking(vertx, ctx, () -> Map.of("results", shadows.names(id(ctx)),
                "timestamp", Instant.now().getEpochSecond())));
    }

    private static void blocking(Vertx vertx, RoutingContext ctx, Callable<Object> call) {
        vertx.executeBlocking(call, false).onComplete(ar -> {
            if (ar.succeeded()) {
                Responses.json(ctx, 200, ar.result());
            } else if (ar.cause() instanceof ShadowException e) {
                // Shadows logged and counted it with its reason
                LOG.debug("event=request.refused path={} reason={} code={}", ctx.normalizedPath(), e.error(), e.error().code());
                ObjectNode err = Responses.JSON.createObjectNode();
                err.put("code", e.error().code());
                err.put("message", e.getMessage());
                err.put("timestamp", Instant.now().getEpochSecond());
                if (e.clientToken() != null) {
                    err.put("clientToken", e.clientToken());
                }
                err.put("reason", e.error().name());
                Responses.json(ctx, e.error().code(), err);
            } else {
                LOG.error("event=request.failed path={}", ctx.normalizedPath(), ar.cause());
                Responses.error(ctx, 500, "INTERNAL_ERROR", "internal error; see the server log");
            }
        });
    }

    private static String id(RoutingContext ctx) {
        return ctx.pathParam("id");
    }

    private static String name(RoutingContext ctx) {
        String n = ctx.pathParam("name");
        return n == null ? "" : n;
    }

    private static String token(RoutingContext ctx) {
        return ctx.queryParams().get("clientToken");
    }

    private static byte[] body(RoutingContext ctx) {
        var buf = ctx.body().buffer();
        return buf == null ? new byte[0] : buf.getBytes();
    }
}
