package dev.imprint.server.access;

import dev.imprint.pki.LogSafe;
import dev.imprint.server.http.Responses;
import dev.imprint.store.OperatorRecord;
import dev.imprint.store.OperatorStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.HashSet;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Role-based access to the admin API and the console: maps an authenticated identity to its
 * operator account ({@link #resolve}) and decides a request by {@link RoutePermissions#TABLE}
 * ({@link #decide}). Refusals are 403 {@code {"code","message"}}, logged as
 * {@code event=access.refused} and counted in {@code imprint.access.refusals{code,surface}}.
 *
 * <p>The account is read from the store on every request, so a revocation or a new role takes
 * effect on the next request on every admin node.
 */
public final class Access {
    private static final Logger LOG = LoggerFactory.getLogger(Access.class);
    private static final String PRINCIPAL = "imprint.principal";
    public static final String ADMIN_PREFIX = "admin:";
    public static final String OPERATOR_PREFIX = "operator:";

    private final OperatorStore operators;
    private final MeterRegistry meters;

    public Access(OperatorStore operators, MeterRegistry meters) {
        this.operators = operators;
        this.meters = meters;
    }

    /** An identity resolved to a principal, or refused. */
    public record Resolution(Principal principal, Decision.Refused refusal) {}

    /**
     * The account behind an identity. {@code operator:NAME} needs a live account NAME.
     * {@code admin:NAME} (a credential {@code imprint up} issued; the one in {@code <data>/admin/}
     * is the migrated account {@code admin}) is an administrator unless its account is revoked or
     * holds another role. Reads the store: call off the event loop.
     */
    public Resolution resolve(String identity) {
        boolean legacy = identity != null && identity.startsWith(ADMIN_PREFIX);
        if (identity == null || !legacy && !identity.startsWith(OPERATOR_PREFIX)) {
            return refused(Decision.Reason.OPERATOR_UNKNOWN, identity + " is no operator");
        }
        String name = identity.substring(identity.indexOf(':') + 1);
        Optional<OperatorRecord> account = operators.find(name);
        if (account.isEmpty()) {
            return legacy ? new Resolution(new Principal(identity, name, Role.ADMIN, java.util.Set.of()), null)
                    : refused(Decision.Reason.OPERATOR_UNKNOWN, "no operator account named " + name);
        }
        OperatorRecord o = account.get();
        if (o.revoked()) {
            return refused(Decision.Reason.OPERATOR_REVOKED, "the operator account " + name + " was revoked at " + o.revokedAt());
        }
        Optional<Role> role = Role.parse(o.role());
        if (role.isEmpty()) {
            return refused(Decision.Reason.OPERATOR_UNKNOWN, "the operator account " + name + " has an unknown role " + o.role());
        }
        return new Resolution(new Principal(identity, name, role.get(), new HashSet<>(o.stations())), null);
    }

    private static Resolution refused(Decision.Reason r, String message) {
        return new Resolution(null, new Decision.Refused(r, message));
    }

    /**
     * Decides one request.
     *
     * @param relativePath the path below the API's base, e.g. {@code /stations/line1/revoke}
     * @param stationParam the query parameter {@code station}, may be null
     */
    public static Decision decide(Principal p, HttpMethod method, String relativePath, String stationParam) {
        Optional<RoutePermissions.Rule> rule = RoutePermissions.find(method, relativePath);
        if (rule.isEmpty()) {
            return new Decision.Refused(Decision.Reason.ROUTE_NOT_MAPPED,
                    method + " " + relativePath + " has no entry in the permission table; refused until it has one");
        }
        RoutePermissions.Rule r = rule.get();
        if (!p.role().may(r.permission())) {
            return new Decision.Refused(Decision.Reason.ROLE_FORBIDDEN,
                    "role " + p.role().wire() + " of " + p.name() + " lacks " + r.permission() + " (" + method + " " + r.path() + ")");
        }
        if (p.role().stationScoped() && r.scope() == RoutePermissions.StationScope.QUERY_STATION
                && (stationParam == null || !p.stations().contains(stationParam))) {
            return new Decision.Refused(Decision.Reason.STATION_FORBIDDEN, stationParam == null
                    ? "a factory account must name one of its stations " + p.stations() + " with ?station="
                    : "station " + stationParam + " is not one of " + p.name() + "'s stations " + p.stations());
        }
        return new Decision.Allowed(r);
    }

    /**
     * A route handler: resolves {@code identity}, decides the request against the table for the
     * path below {@code base}, and either puts the principal on the context and continues, or
     * answers 403.
     *
     * @param surface {@code admin} or {@code console}, for the log and the metric
     */
    public void authorize(Vertx vertx, RoutingContext ctx, String identity, String base, String surface) {
        String path = ctx.normalizedPath();
        String relative = path.startsWith(base) ? path.substring(base.length()) : path;
        HttpMethod method = ctx.request().method();
        String station = ctx.queryParams().get("station");
        vertx.executeBlocking(() -> resolve(identity), false).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
            }
            Resolution res = ar.result();
            Decision d = res.refusal() != null ? res.refusal() : decide(res.principal(), method, relative, station);
            if (d instanceof Decision.Refused ref) {
                meters.counter("imprint.access.refusals", "code", ref.reason().name(), "surface", surface).increment();
                LOG.info("event=access.refused surface={} actor={} method={} path={} code={} msg=\"{}\"", surface, LogSafe.token(identity),
                        method, LogSafe.token(path), ref.reason(), LogSafe.of(ref.message()));
                Responses.error(ctx, 403, ref.reason().name(), ref.message());
                return;
            }
            ctx.put(PRINCIPAL, res.principal());
            ctx.next();
        });
    }

    /** The principal {@link #authorize} put on this request; null before it ran. */
    public static Principal principal(RoutingContext ctx) {
        return ctx.get(PRINCIPAL);
    }
}
