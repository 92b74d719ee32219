package dev.imprint.server.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.hub.HubBackend;
import dev.imprint.hub.HubException;
import dev.imprint.hub.MethodResult;
import dev.imprint.hub.telemetry.JsonLines;
import dev.imprint.server.http.AdminRoutes;
import dev.imprint.server.http.Responses;
import dev.imprint.store.TwinRecord;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hubs' back-end routes in the admin API (mounted after {@link AdminRoutes}, so the admin
 * credential is already checked): device status, telemetry, cloud-to-device, twin, methods.
 * Errors are {@code {"code","message"}} with the {@link HubException}'s status.
 */
public final class HubRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(HubRoutes.class);
    private HubRoutes() {}

    /** @param desiredPatched told of every committed twin desired patch (the AWS dialect's shadow publishes its delta) */
    public static void mount(Router r, Vertx vertx, HubBackend backend, java.util.function.BiConsumer<String, String> desiredPatched) {
        mount(r, AdminRoutes.BASE, vertx, backend, desiredPatched);
    }

    /** The same routes below {@code base} (the console mounts them under its own API, behind its session and the role table). */
    public static void mount(Router r, String base, Vertx vertx, HubBackend backend, java.util.function.BiConsumer<String, String> desiredPatched) {
        String dev = base + "/devices/:id";
        r.get(dev).handler(ctx -> blocking(vertx, ctx, () -> backend.device(id(ctx))));
        r.get(dev + "/session").handler(ctx -> blocking(vertx, ctx, () -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("connected", false);
            backend.session(id(ctx)).ifPresent(v -> {
                m.put("connected", true);
                m.put("hub", v.hub());
                m.put("node", v.node());
                m.put("connectedAt", v.connectedAt().toString());
                m.put("address", v.address());
                m.put("certSerial", v.certSerial());
            });
            return m;
        }));
        r.get(dev + "/telemetry").handler(ctx -> blocking(vertx, ctx, () ->
                backend.telemetry(id(ctx), last(ctx)).stream().map(JsonLines::toJson).toList()));
        r.post(dev + "/c2d").handler(ctx -> blocking(vertx, ctx, () -> {
            JsonNode b = body(ctx);
            Map<String, String> props = new LinkedHashMap<>();
            b.path("properties").fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue().asText()));
            long ttl = b.path("ttlSeconds").asLong(0);
            var m = backend.sendC2d(id(ctx), b.path("body").asText("").getBytes(StandardCharsets.UTF_8), props,
                    ttl > 0 ? Duration.ofSeconds(ttl) : null);
            return Map.of("messageId", m.messageId(), "queued", true, "expiresAt", m.expiresAt().toString());
        }));
        r.get(dev + "/twin").handler(ctx -> blocking(vertx, ctx, () -> twin(backend.twin(id(ctx)))));
        for (var route : List.of(r.patch(dev + "/twin/desired"), r.post(dev + "/twin/desired"))) {
            route.handler(ctx -> blocking(vertx, ctx, () -> {
                String patch = body(ctx).toString();
                TwinRecord t = backend.updateDesired(id(ctx), patch);
                desiredPatched.accept(id(ctx), patch);
                return twin(t);
            }));
        }
        r.post(dev + "/methods/:name").handler(ctx -> {
            JsonNode b = body(ctx);
            long timeout = Math.max(1, Math.min(300, b.path("timeoutSeconds").asLong(30)));
            JsonNode payload = b.path("payload");
            byte[] bytes = (payload.isMissingNode() ? "{}" : payload.toString()).getBytes(StandardCharsets.UTF_8);
            try {
                backend.invokeMethod(id(ctx), ctx.pathParam("name"), bytes, Duration.ofSeconds(timeout))
                        .whenComplete((res, e) -> vertx.runOnContext(v -> {
                            if (e != null) {
                                fail(ctx, e);
                            } else {
                                Responses.json(ctx, 200, method(res));
                            }
                        }));
            } catch (RuntimeException e) {
                fail(ctx, e);
            }
        });
    }

    private static Map<String, Object> method(MethodResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", r.status());
        try {
            m.put("payload", Responses.JSON.readTree(r.payload()));
        } catch (IOException e) {
            m.put("payload", r.payload());
        }
        return m;
    }

    private static JsonNode twin(TwinRecord t) throws IOException {
        ObjectNode n = Responses.JSON.createObjectNode();
        n.put("deviceId", t.deviceId());
        ObjectNode d = (ObjectNode) Responses.JSON.readTree(t.desired());
        d.put("$version", t.desiredVersion());
        ObjectNode rep = (ObjectNode) Responses.JSON.readTree(t.reported());
        rep.put("$version", t.reportedVersion());
        n.set("desired", d);
        n.set("reported", rep);
        return n;
    }

    private static void blocking(Vertx vertx, RoutingContext ctx, Callable<Object> call) {
        vertx.executeBlocking(call, false).onComplete(ar -> {
            if (ar.succeeded()) {
                Responses.json(ctx, 200, ar.result());
            } else {
                fail(ctx, ar.cause());
            }
        });
    }

    private static void fail(RoutingContext ctx, Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof HubException he) {
            LOG.info("event=request.refused path={} code={} msg=\"{}\"", ctx.normalizedPath(), he.code(), he.getMessage());
            Responses.error(ctx, he.httpStatus(), he.code(), he.getMessage());
        } else if (t instanceof IllegalArgumentException iae) {
            Responses.error(ctx, 400, "BAD_REQUEST", iae.getMessage());
        } else {
            LOG.error("event=request.failed path={}", ctx.normalizedPath(), t);
            Responses.error(ctx, 500, "INTERNAL_ERROR", "internal error; see the server log");
        }
    }

    private static String id(RoutingContext ctx) {
        return ctx.pathParam("id");
    }

    private static int last(RoutingContext ctx) {
        String v = ctx.queryParams().get("last");
        try {
            int n = v == null ? 10 : Integer.parseInt(v);
            if (n >= 1 && n <= 10_000) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("'last' must be a whole number in 1..10000");
    }

    private static JsonNode body(RoutingContext ctx) {
        var buf = ctx.body().buffer();
        if (buf == null || buf.length() == 0) {
            return Responses.JSON.createObjectNode();
        }
        try {
            JsonNode n = Responses.JSON.readTree(buf.getBytes());
            if (n != null && n.isObject()) {
                return n;
            }
        } catch (IOException e) {
            // reported below
        }
        throw new IllegalArgumentException("the request body must be a JSON object");
    }
}
