package dev.imprint.server.http;

import dev.imprint.pki.LogSafe;
import com.fasterxml.jackson.databind.JsonNode;
import dev.imprint.ca.Authority;
import dev.imprint.ca.CaException;
import dev.imprint.ca.Credential;
import dev.imprint.pki.Pem;
import dev.imprint.pki.validation.Verdict;
import dev.imprint.server.access.Access;
import dev.imprint.server.access.Principal;
import dev.imprint.store.CertificateRecord;
import dev.imprint.store.RevokedEntry;
import dev.imprint.store.StationRecord;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API under {@code /api/v1} (JSON; errors {@code {"code","message"}}). Every route but
 * {@code /api/v1/health} requires an operator's client credential, checked by {@link AdminAuth}
 * after the handshake so a refusal is a 401/403 with a reason code, and a role that holds the
 * route's permission ({@link Access}, 403 {@code ROLE_FORBIDDEN} otherwise).
 */
public final class AdminRoutes {
    public static final String BASE = "/api/v1";
    private static final Logger LOG = LoggerFactory.getLogger(AdminRoutes.class);
    private static final String ACTOR = "imprint.actor";

    private AdminRoutes() {}

    /**
     * Mounts health, the authentication ({@code auth}) and authorization ({@code access}, by
     * {@link dev.imprint.server.access.RoutePermissions}) of every route under {@link #BASE}, and
     * this class's routes. Other classes mount theirs under {@link #BASE} afterwards, behind the same two.
     */
    public static void mount(Router r, Vertx vertx, Authority authority, AdminAuth auth, Access access,
            io.micrometer.core.instrument.MeterRegistry meters) {
        r.get(BASE + "/health").handler(ctx -> Responses.json(ctx, 200, Map.of("status", "UP")));
        // the body handler first: it must see the request before any asynchronous step
        r.route(BASE + "/*").handler(BodyHandler.create().setBodyLimit(64 * 1024));
        r.route(BASE + "/*").handler(ctx -> authenticate(vertx, ctx, auth, meters));
        r.route(BASE + "/*").handler(ctx -> access.authorize(vertx, ctx, actor(ctx), BASE, "admin"));
        routes(r, BASE, vertx, authority);
    }

    /**
     * The admin routes under {@code base}, without authentication: the caller mounts its own
     * authentication (and a body handler) on {@code base + "/*"} first and names the actor with
     * {@link #actAs}. The web console mounts them under {@code /console/api} behind its session.
     */
    public static void routes(Router r, String base, Vertx vertx, Authority authority) {
        r.post(base + "/stations").handler(ctx -> blocking(vertx, ctx, 201, () -> createStation(ctx, authority)));
        r.get(base + "/stations").handler(ctx -> {
            // a factory account sees its own stations only; no principal (no authorization ran) sees none
            Principal p = Access.principal(ctx);
            blocking(vertx, ctx, 200, () -> authority.stations().list().stream()
                    .filter(s -> p != null && p.seesStation(s.name())).map(AdminRoutes::station).toList());
        });
        r.post(base + "/stations/:name/revoke").handler(ctx -> blocking(vertx, ctx, 200, () -> {
            authority.stations().revoke(ctx.pathParam("name"), actor(ctx));
            return Map.of("revoked", ctx.pathParam("name"));
        }));
        r.get(base + "/certificates").handler(ctx -> blocking(vertx, ctx, 200, () -> {
            int limit = intParam(ctx, "limit", 100, 1, 10_000);
            int offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
            String device = ctx.queryParams().get("device");
            return authority.certificates(device == null || device.isBlank() ? null : device, limit, offset)
                    .stream().map(AdminRoutes::certificate).toList();
        }));
        r.post(base + "/certificates/:serial/revoke").handler(ctx -> blocking(vertx, ctx, 200, () -> {
            String serial = normalizeSerial(ctx.pathParam("serial"));
            RevokedEntry e = authority.revocation().revoke(serial, reason(ctx), actor(ctx))
                    .orElseThrow(() -> new CaException(CaException.Reason.NOT_FOUND, "no certificate with serial " + serial));
            return revoked(e);
        }));
        r.post(base + "/devices/:id/revoke").handler(ctx -> blocking(vertx, ctx, 200, () -> {
            List<RevokedEntry> entries = authority.revocation().revokeDevice(ctx.pathParam("id"), reason(ctx), actor(ctx));
            if (entries.isEmpty()) {
                throw new CaException(CaException.Reason.NOT_FOUND, "no certificate for device " + ctx.pathParam("id"));
            }
            return entries.stream().map(AdminRoutes::revoked).toList();
        }));
        r.get(base + "/audit/verify").handler(ctx -> blocking(vertx, ctx, 200, () -> auditVerify(authority)));
        r.post(base + "/audit/verify").handler(ctx -> blocking(vertx, ctx, 200, () -> auditVerify(authority)));
    }

    /** Names who acts in this request (for the audit log), e.g. {@code admin:NAME}. */
    public static void actAs(RoutingContext ctx, String identity) {
        ctx.put(ACTOR, identity);
    }

    static void authenticate(Vertx vertx, RoutingContext ctx, AdminAuth auth, io.micrometer.core.instrument.MeterRegistry meters) {
        var peer = PeerChain.of(ctx);
        vertx.executeBlocking(() -> auth.check(peer), false).onComplete(ar -> {
            if (ar.failed()) {
                Http.fail(ctx, ar.cause());
            } else if (ar.result() instanceof Verdict.Accepted a) {
                ctx.put(ACTOR, a.identity());
                ctx.next();
            } else {
                Verdict.Refused ref = (Verdict.Refused) ar.result();
                boolean none = peer.isEmpty();
                String code = none ? "AUTH_REQUIRED" : ref.reason().name();
                meters.counter("imprint.admin.refusals", "code", code).increment();
                LOG.info("event=admin.refused path={} code={} step={} msg=\"{}\"", LogSafe.token(ctx.normalizedPath()), code, ref.step().number(), LogSafe.of(ref.detail()));
                Responses.error(ctx, none ? 401 : 403, code,
                        none ? "the admin API requires the admin client certificate (<data>/admin/)" : "admin credential refused: " + ref.detail());
            }
        });
    }

    private static void blocking(Vertx vertx, RoutingContext ctx, int status, Callable<Object> call) {
        Http.blocking(vertx, ctx, status, call);
    }

    private static Object createStation(RoutingContext ctx, Authority authority) {
        JsonNode body = body(ctx);
        String name = text(body, "name", true);
        String ids = text(body, "idPattern", true);
        long quota = body.path("quota").asLong(0);
        int rate = body.path("rate").asInt(0);
        if (quota < 0 || rate < 0) {
            throw new IllegalArgumentException("quota and rate must be >= 0 (0 = unlimited)");
        }
        Credential c = authority.stations().create(name, ids, quota, rate, actor(ctx));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("certificate", Pem.write(c.certificate()));
        out.put("key", dev.imprint.pki.Pem.write(c.key()));
        out.put("chain", Pem.write(c.chain()));
        out.put("serial", c.certificate().getSerialNumber().toString(16));
        return out;
    }

    private static Map<String, Object> auditVerify(Authority authority) {
        var broken = authority.verifyAudit();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("intact", broken.isEmpty());
        broken.ifPresent(b -> {
            out.put("firstBrokenSeq", b.seq());
            out.put("why", b.why());
        });
        return out;
    }

    /** The request body as a JSON object ({} when empty). @throws IllegalArgumentException when it is not one */
    static JsonNode body(RoutingContext ctx) {
        var buf = ctx.body().buffer();
        if (buf == null || buf.length() == 0) {
            return Responses.JSON.createObjectNode();
        }
        try {
            JsonNode n = Responses.JSON.readTree(buf.getBytes());
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("the request body must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new IllegalArgumentException("the request body is not valid JSON");
        }
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull() || n.asText().isBlank()) {
            if (required) {
                throw new IllegalArgumentException("missing field '" + field + "'");
            }
            return null;
        }
        return n.asText();
    }

    private static int reason(RoutingContext ctx) {
        JsonNode n = body(ctx).get("reason");
        return RevocationReasons.parse(n == null || n.isNull() ? null : n.asText());
    }

    /** Who acts in this request, as named by the authentication in front ({@code admin:NAME}). */
    public static String actor(RoutingContext ctx) {
        String a = ctx.get(ACTOR);
        return a == null ? "admin" : a;
    }

    private static int intParam(RoutingContext ctx, String name, int dflt, int min, int max) {
        return Http.intParam(ctx, name, dflt, min, max);
    }

    /** Accepts {@code 0A:1B...}, {@code 0x0a1b}, upper case; the store keys are lower-case hex without leading zeros. */
    static String normalizeSerial(String s) {
        String hex = s.trim().toLowerCase(java.util.Locale.ROOT).replace(":", "");
        if (hex.startsWith("0x")) {
            hex = hex.substring(2);
        }
        if (!hex.matches("[0-9a-f]{1,64}")) {
            throw new IllegalArgumentException("'" + s + "' is not a hex serial number");
        }
        return new java.math.BigInteger(hex, 16).toString(16);
    }

    static Map<String, Object> station(StationRecord s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("idPattern", s.idPattern());
        m.put("quota", s.quota());
        m.put("rate", s.ratePerSecond());
        m.put("issued", s.issued());
        m.put("certSerial", s.certSerial());
        m.put("revoked", s.revoked());
        m.put("createdAt", str(s.createdAt()));
        return m;
    }

    static Map<String, Object> certificate(CertificateRecord c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("serial", c.serialHex());
        m.put("ca", c.ca());
        m.put("deviceId", c.deviceId());
        m.put("kind", c.kind());
        m.put("notBefore", str(c.notBefore()));
        m.put("notAfter", str(c.notAfter()));
        m.put("issuedAt", str(c.issuedAt()));
        m.put("requestedBy", c.requestedBy());
        m.put("keyFingerprint", c.keyFingerprint());
        m.put("revoked", c.revoked());
        m.put("revokedAt", str(c.revokedAt()));
        m.put("revocationReason", c.revocationReason() == null ? null : RevocationReasons.name(c.revocationReason()));
        return m;
    }

    static Map<String, Object> revoked(RevokedEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("serial", e.serialHex());
        m.put("revokedAt", str(e.revokedAt()));
        m.put("reason", RevocationReasons.name(e.reason()));
        return m;
    }

    private static String str(Instant t) {
        return t == null ? null : t.toString();
    }
}
