package dev.imprint.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imprint.ca.Credential;
import dev.imprint.pki.Pem;
import dev.imprint.server.access.Access;
import dev.imprint.server.access.OperatorAccounts;
import dev.imprint.server.access.Principal;
import dev.imprint.store.AuditEvent;
import dev.imprint.store.AuditLog;
import dev.imprint.store.OperatorRecord;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Operator accounts and the audit log under the admin API's base (or the console's), behind the
 * caller's authentication and {@link Access}:
 * <ul>
 *   <li>{@code POST /operators} {@code {"name","role","stations":[..]}}: 201 with the account and
 *       its credential (PEM {@code certificate}, {@code key}, {@code chain}; the only copy of the key);
 *   <li>{@code GET /operators}: every account; {@code POST /operators/{name}/revoke}: the revoked account;
 *   <li>{@code GET /audit?actor=NAME&limit=N&before=SEQ}: audit entries, newest first; {@code actor}
 *       NAME matches {@code operator:NAME} and {@code admin:NAME} (or an exact actor with a ':').
 * </ul>
 */
public final class OperatorRoutes {
    private OperatorRoutes() {}

    public static void mount(Router r, String base, Vertx vertx, OperatorAccounts accounts, AuditLog audit) {
        r.post(base + "/operators").handler(ctx -> Http.blocking(vertx, ctx, 201, () -> {
            JsonNode b = AdminRoutes.body(ctx);
            String name = b.path("name").asText("");
            if (name.isBlank()) {
                throw new IllegalArgumentException("missing field 'name'");
            }
            List<String> stations = new ArrayList<>();
            b.path("stations").forEach(n -> stations.add(n.asText()));
            Credential c = accounts.add(name, b.path("role").asText(""), stations, AdminRoutes.actor(ctx));
            Map<String, Object> out = new LinkedHashMap<>(accounts.list().stream().filter(o -> o.name().equals(name))
                    .findFirst().map(OperatorRoutes::operator).orElseThrow());
            out.put("certificate", Pem.write(c.certificate()));
            out.put("key", Pem.write(c.key()));
            out.put("chain", Pem.write(c.chain()));
            return out;
        }));
        r.get(base + "/operators").handler(ctx -> Http.blocking(vertx, ctx, 200,
                () -> accounts.list().stream().map(OperatorRoutes::operator).toList()));
        r.post(base + "/operators/:name/revoke").handler(ctx -> Http.blocking(vertx, ctx, 200, () -> {
            Principal p = Access.principal(ctx);
            return operator(accounts.revoke(ctx.pathParam("name"), AdminRoutes.actor(ctx), p == null ? null : p.name()));
        }));
        r.get(base + "/audit").handler(ctx -> Http.blocking(vertx, ctx, 200, () -> {
            String actor = ctx.queryParams().get("actor");
            List<String> actors = actor == null || actor.isBlank() ? List.of()
                    : actor.contains(":") ? List.of(actor) : List.of(Access.OPERATOR_PREFIX + actor, Access.ADMIN_PREFIX + actor);
            int limit = Http.intParam(ctx, "limit", 100, 1, 10_000);
            long before = Http.longParam(ctx, "before", Long.MAX_VALUE);
            return audit.latest(actors, before, limit).stream().map(OperatorRoutes::entry).toList();
        }));
    }

    static Map<String, Object> operator(OperatorRecord o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", o.name());
        m.put("role", o.role());
        m.put("stations", o.stations());
        m.put("certSerial", o.certSerial());
        m.put("createdAt", o.createdAt().toString());
        m.put("createdBy", o.createdBy());
        m.put("revoked", o.revoked());
        m.put("revokedAt", o.revokedAt() == null ? null : o.revokedAt().toString());
        return m;
    }

    static Map<String, Object> entry(AuditEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", e.seq());
        m.put("at", e.at().toString());
        m.put("type", e.type());
        m.put("actor", e.actor());
        m.put("subject", e.subject());
        m.put("details", e.detailsJson());
        return m;
    }
}
