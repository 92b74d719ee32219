package dev.imprint.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imprint.ca.Authority;
import dev.imprint.dps.DpsException;
import dev.imprint.dps.ProvisioningService;
import dev.imprint.dps.enrollment.Enrollment;
import dev.imprint.dps.enrollment.EnrollmentRequest;
import dev.imprint.pki.Pem;
import dev.imprint.store.DeviceRecord;
import dev.imprint.store.HubRecord;
import dev.imprint.store.RegistrationEvent;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The provisioning service's admin API, under the same {@code /api/v1} prefix and admin
 * authentication as {@link AdminRoutes} (mounted after it, so its auth handler runs first):
 * enrollments, hubs, devices and registration history. Errors {@code {"code","message"}}.
 */
public final class DpsAdminRoutes {
    private static final String BASE = AdminRoutes.BASE;

    private DpsAdminRoutes() {}

    public static void mount(Router r, Vertx vertx, ProvisioningService dps, Authority authority) {
        mount(r, BASE, vertx, dps, authority);
    }

    /** The same routes under {@code base} (the web console's {@code /console/api}), behind the caller's authentication. */
    public static void mount(Router r, String base, Vertx vertx, ProvisioningService dps, Authority authority) {
        r.get(base + "/enrollments").handler(ctx -> blocking(vertx, ctx, 200,
                () -> dps.enrollments().list().stream().map(DpsAdminRoutes::enrollment).toList()));
        r.post(base + "/enrollments").handler(ctx -> blocking(vertx, ctx, 201, () -> {
            EnrollmentRequest req = Responses.JSON.treeToValue(body(ctx), EnrollmentRequest.class);
            Enrollment e = req.toEnrollment(name -> authority.hierarchy().names().contains(name) ? authority.hierarchy().issuer(name) : null,
                    Instant.now(), null);
            boolean existed = dps.enrollments().find(e.name()).isPresent();
            if (existed) {
                Enrollment old = dps.enrollments().find(e.name()).get();
                e = req.toEnrollment(name -> authority.hierarchy().names().contains(name) ? authority.hierarchy().issuer(name) : null,
                        Instant.now(), old.createdAt());
                dps.enrollments().update(e);
            } else {
                dps.enrollments().add(e);
            }
            Map<String, Object> out = enrollment(e);
            Map<String, Object> details = new LinkedHashMap<>(out);
            details.remove("caPem");
            audit(dps, ctx, existed ? "enrollment.updated" : "enrollment.created", e.name(), details);
            return out;
        }));
        r.post(base + "/enrollments/:name/:action").handler(ctx -> blocking(vertx, ctx, 200, () -> {
            String name = ctx.pathParam("name");
            boolean found = switch (ctx.pathParam("action")) {
                case "enable" -> dps.enrollments().setEnabled(name, true);
                case "disable" -> dps.enrollments().setEnabled(name, false);
                case "remove" -> dps.enrollments().remove(name);
                default -> throw new IllegalArgumentException("action must be enable, disable or remove");
            };
            if (found) {
                dps.enrollmentsChanged();
                audit(dps, ctx, "enrollment." + ctx.pathParam("action") + "d", name, Map.of());
            }
            return notFoundUnless(found, "enrollment " + name, Map.of(ctx.pathParam("action"), name));
        }));
        r.get(base + "/hubs").handler(ctx -> blocking(vertx, ctx, 200, () -> dps.store().hubs().list()));
        r.post(base + "/hubs").handler(ctx -> blocking(vertx, ctx, 201, () -> {
            JsonNode b = body(ctx);
            String name = b.path("name").asText("");
            String host = b.path("hostname").asText("");
            if (!name.matches("[A-Za-z0-9._-]{1,64}") || host.isBlank()) {
                throw new IllegalArgumentException("name (1-64 of A-Z a-z 0-9 . _ -) and hostname are required");
            }
            // the CLI's range (HubCommand --weight): 0 would take a hub out of hashed allocation without saying so
            if (b.has("weight") && (!b.get("weight").canConvertToInt() || b.get("weight").asInt() < 1 || b.get("weight").asInt() > 1000)) {
                throw new IllegalArgumentException("weight must be a whole number from 1 to 1000");
            }
            HubRecord h = new HubRecord(name, host, b.path("mqtt").asText("mqtts://" + host + ":8883"),
                    b.hasNonNull("region") ? b.get("region").asText() : null, b.path("weight").asInt(100), Instant.now());
            boolean existed = dps.store().hubs().update(h);
            if (!existed) {
                dps.store().hubs().add(h);
            }
            audit(dps, ctx, existed ? "hub.updated" : "hub.created", name, h);
            return h;
        }));
        r.post(base + "/hubs/:name/remove").handler(ctx -> blocking(vertx, ctx, 200, () -> {
            String name = ctx.pathParam("name");
            boolean found = dps.store().hubs().remove(name);
            if (found) {
                audit(dps, ctx, "hub.removed", name, Map.of());
            }
            return notFoundUnless(found, "hub " + name, Map.of("removed", name));
        }));
        r.get(base + "/registrations").handler(ctx -> blocking(vertx, ctx, 200, () -> {
            String device = ctx.queryParams().get("device");
            int limit = Math.min(10_000, Math.max(1, parse(ctx.queryParams().get("limit"), 100)));
            return dps.store().deviceRegistry().history(device == null || device.isBlank() ? null : device, limit,
                    Math.max(0, parse(ctx.queryParams().get("offset"), 0))).stream().map(DpsAdminRoutes::event).toList();
        }));
        r.get(base + "/dps/devices").handler(ctx -> blocking(vertx, ctx, 200, () -> {
            String hub = ctx.queryParams().get("hub");
            int limit = Math.min(10_000, Math.max(1, parse(ctx.queryParams().get("limit"), 100)));
            return dps.store().deviceRegistry().list(hub == null || hub.isBlank() ? null : hub, limit,
                    Math.max(0, parse(ctx.queryParams().get("offset"), 0))).stream().map(DpsAdminRoutes::device).toList();
        }));
    }

    /** Changes to enrollments and hubs name their operator in the audit log, like every other admin change. */
    private static void audit(ProvisioningService dps, RoutingContext ctx, String type, String subject, Object details) throws IOException {
        dps.store().audit().append(type, AdminRoutes.actor(ctx), subject, Responses.JSON.writeValueAsString(details));
    }

    private static Object notFoundUnless(boolean found, String what, Object result) {
        if (!found) {
            throw new DpsException("NOT_FOUND", 404, "no " + what, 0);
        }
        return result;
    }

    private static void blocking(Vertx vertx, RoutingContext ctx, int status, Callable<Object> call) {
        vertx.executeBlocking(call, false).onComplete(ar -> {
            if (ar.succeeded()) {
                Responses.json(ctx, status, ar.result());
            } else if (ar.cause() instanceof DpsException e) {
                Responses.error(ctx, e.httpStatus(), e.reason(), e.getMessage());
            } else if (ar.cause() instanceof IOException e) {
                Responses.error(ctx, 400, "BAD_REQUEST", "unreadable JSON body: " + e.getMessage());
            } else {
                Http.fail(ctx, ar.cause());
            }
        });
    }

    private static JsonNode body(RoutingContext ctx) throws IOException {
        return ctx.body().buffer() == null ? Responses.JSON.createObjectNode() : Responses.JSON.readTree(ctx.body().buffer().getBytes());
    }

    private static int parse(String s, int dflt) {
        try {
            return s == null ? dflt : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number: " + s);
        }
    }

    static Map<String, Object> enrollment(Enrollment e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", e.name());
        m.put("kind", e.kind().name().toLowerCase(java.util.Locale.ROOT));
        m.put("ca", e.ca() == null ? null : e.ca().getSubjectX500Principal().getName());
        m.put("caPem", e.ca() == null ? null : Pem.write(e.ca()));
        m.put("idPattern", e.idPattern() == null ? null : e.idPattern().pattern());
        m.put("deviceId", e.deviceId());
        m.put("allocation", e.allocation());
        m.put("allocationSettings", e.allocationSettings());
        m.put("hubs", e.hubs());
        m.put("tags", e.tags());
        m.put("desired", e.desired());
        m.put("reprovision", e.reprovision().wire());
        m.put("enabled", e.enabled());
        m.put("awsPolicy", e.awsPolicy().empty() ? null : e.awsPolicy());
        m.put("createdAt", e.createdAt().toString());
        m.put("updatedAt", e.updatedAt().toString());
        return m;
    }

    static Map<String, Object> event(RegistrationEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", e.seq());
        m.put("registrationId", e.registrationId());
        m.put("at", e.at().toString());
        m.put("status", e.status());
        m.put("substatus", e.substatus());
        m.put("hub", e.hub());
        m.put("enrollment", e.enrollment());
        m.put("certSerial", e.certSerial());
        m.put("errorCode", e.errorCode());
        m.put("message", e.message());
        return m;
    }

    static Map<String, Object> device(DeviceRecord d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("deviceId", d.deviceId());
        m.put("hub", d.hub());
        m.put("enabled", d.enabled());
        m.put("enrollment", d.enrollment());
        m.put("status", d.status());
        m.put("substatus", d.substatus());
        m.put("certSerial", d.certSerial());
        m.put("etag", d.etag());
        m.put("createdAt", d.createdAt().toString());
        m.put("updatedAt", d.updatedAt().toString());
        return m;
    }
}
