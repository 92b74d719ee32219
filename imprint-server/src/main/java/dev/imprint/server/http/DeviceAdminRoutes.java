package dev.imprint.server.http;

import dev.imprint.store.AuditEvent;
import dev.imprint.store.Store;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Device registry actions of the admin API (and so of the console): search by ID prefix
 * ({@code GET /devices?prefix=&limit=}), enable, disable and reprovision
 * ({@code POST /devices/:id/enable|disable|reprovision}). Reprovisioning deletes the device's
 * registration (its history stays): its next connection is refused, and it registers again
 * through DPS, which allocates it afresh. Every change is audited as {@code device.enabled},
 * {@code device.disabled} or {@code device.reprovisioned}, and the node holding the device's
 * session is told ({@code deviceChanged}), which re-checks the registry and ends the session.
 */
public final class DeviceAdminRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceAdminRoutes.class);
    private static final int MAX_PREFIX = 128;

    private DeviceAdminRoutes() {}

    /** Mount after the authentication and authorization of {@code base + "/*"}. */
    public static void mount(Router r, String base, Vertx vertx, Store store, Consumer<String> deviceChanged) {
        r.get(base + "/devices").handler(ctx -> blocking(vertx, ctx, () -> {
            String prefix = ctx.queryParams().get("prefix");
            if (prefix == null || prefix.length() > MAX_PREFIX) {
                throw new IllegalArgumentException("'prefix' is required, at most " + MAX_PREFIX + " characters (may be empty)");
            }
            int limit = Http.intParam(ctx, "limit", 50, 1, 1000);
            return store.deviceRegistry().search(prefix, limit).stream().map(DpsAdminRoutes::device).toList();
        }));
        for (String action : new String[] {"enable", "disable", "reprovision"}) {
            r.post(base + "/devices/:id/" + action).handler(ctx -> blocking(vertx, ctx, () -> change(ctx, store, deviceChanged, action)));
        }
    }

    private static Object change(RoutingContext ctx, Store store, Consumer<String> deviceChanged, String action) throws Exception {
        String id = ctx.pathParam("id");
        boolean found = switch (action) {
            case "enable" -> store.deviceRegistry().setEnabled(id, true, Instant.now());
            case "disable" -> store.deviceRegistry().setEnabled(id, false, Instant.now());
            default -> store.deviceRegistry().remove(id);
        };
        if (!found) {
            throw new NotFound("no registered device " + id);
        }
        String type = "device." + (action.equals("reprovision") ? "reprovisioned" : action + "d");
        AuditEvent e = store.audit().append(type, AdminRoutes.actor(ctx), id, "{}");
        deviceChanged.accept(id);
        LOG.info("event={} device={} actor={} auditSeq={}", type, id, AdminRoutes.actor(ctx), e.seq());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("deviceId", id);
        out.put("action", action);
        out.put("auditSeq", e.seq());
        return out;
    }

    /** An unknown device: 404 {@code DEVICE_NOT_FOUND}. */
    private static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message);
        }
    }

    private static void blocking(Vertx vertx, RoutingContext ctx, Callable<Object> call) {
        vertx.executeBlocking(call, false).onComplete(ar -> {
            if (ar.succeeded()) {
                Responses.json(ctx, 200, ar.result());
            } else if (ar.cause() instanceof NotFound nf) {
                Responses.error(ctx, 404, "DEVICE_NOT_FOUND", nf.getMessage());
            } else if (ar.cause() instanceof IllegalArgumentException iae) {
                Responses.error(ctx, 400, "BAD_REQUEST", iae.getMessage());
            } else {
                ctx.fail(ar.cause());
            }
        });
    }
}
