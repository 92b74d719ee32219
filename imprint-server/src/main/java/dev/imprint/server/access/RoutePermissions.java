package dev.imprint.server.access;

import static dev.imprint.server.access.Permission.*;

import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one table of what every route of the admin API needs, relative to its base
 * ({@code /api/v1} for the admin API, {@code /console/api} for the console, which mounts the same
 * handlers). A request whose method and path match no row is refused (403
 * {@code ROUTE_NOT_MAPPED}): a route added without a row here fails closed, and
 * {@code RoutePermissionsTest} names it.
 */
public final class RoutePermissions {

    /** How a station-scoped account (factory) is limited on a route. */
    public enum StationScope {
        /** Not limited beyond the permission. */
        NONE,
        /** The handler shows only the account's stations. */
        FILTERED,
        /** The request must name one of the account's stations in the query parameter {@code station}. */
        QUERY_STATION
    }

    /** One row: method, path template ({@code :param} matches one segment), what it needs. */
    public record Rule(HttpMethod method, String path, Permission permission, StationScope scope) {
        Pattern pattern() {
            return Pattern.compile(java.util.Arrays.stream(path.split("/", -1))
                    .map(seg -> seg.startsWith(":") ? "[^/]+" : Pattern.quote(seg))
                    .reduce((a, b) -> a + "/" + b).orElse(""));
        }
    }

    private static Rule rule(HttpMethod m, String path, Permission p) {
        return new Rule(m, path, p, StationScope.NONE);
    }

    private static final HttpMethod GET = HttpMethod.GET;
    private static final HttpMethod POST = HttpMethod.POST;
    private static final HttpMethod PATCH = HttpMethod.PATCH;
    private static final HttpMethod DELETE = HttpMethod.DELETE;

    /** Every route, grouped by the class that mounts it. */
    public static final List<Rule> TABLE = List.of(
            // AdminRoutes
            new Rule(GET, "/stations", STATIONS_READ, StationScope.FILTERED),
            rule(POST, "/stations", STATIONS_MANAGE),
            rule(POST, "/stations/:name/revoke", STATIONS_MANAGE),
            rule(GET, "/certificates", CERTIFICATES_READ),
            rule(POST, "/certificates/:serial/revoke", CERTIFICATES_REVOKE),
            rule(POST, "/devices/:id/revoke", CERTIFICATES_REVOKE),
            rule(GET, "/audit/verify", AUDIT_VERIFY),
            rule(POST, "/audit/verify", AUDIT_VERIFY),
            // OperatorRoutes
            rule(GET, "/audit", AUDIT_READ),
            rule(GET, "/operators", OPERATORS_READ),
            rule(POST, "/operators", OPERATORS_MANAGE),
            rule(POST, "/operators/:name/revoke", OPERATORS_MANAGE),
            // LedgerRoutes
            new Rule(GET, "/ledger", LEDGER_READ, StationScope.QUERY_STATION),
            // DpsAdminRoutes
            rule(GET, "/enrollments", ENROLLMENTS_READ),
            rule(POST, "/enrollments", ENROLLMENTS_MANAGE),
            rule(POST, "/enrollments/:name/:action", ENROLLMENTS_MANAGE),
            rule(GET, "/hubs", HUBS_READ),
            rule(POST, "/hubs", HUBS_MANAGE),
            rule(POST, "/hubs/:name/remove", HUBS_MANAGE),
            rule(GET, "/registrations", DEVICES_READ),
            rule(GET, "/dps/devices", DEVICES_READ),
            // HubRoutes
            rule(GET, "/devices/:id", DEVICES_READ),
            rule(GET, "/devices/:id/telemetry", DEVICES_READ),
            rule(GET, "/devices/:id/session", DEVICES_READ),
            rule(POST, "/devices/:id/c2d", DEVICES_MANAGE),
            rule(GET, "/devices/:id/twin", DEVICES_READ),
            rule(PATCH, "/devices/:id/twin/desired", DEVICES_MANAGE),
            rule(POST, "/devices/:id/twin/desired", DEVICES_MANAGE),
            rule(POST, "/devices/:id/methods/:name", DEVICES_MANAGE),
            // ShadowRoutes (the classic shadow is the twin: same permissions)
            rule(GET, "/devices/:id/shadow", DEVICES_READ),
            rule(POST, "/devices/:id/shadow", DEVICES_MANAGE),
            rule(DELETE, "/devices/:id/shadow", DEVICES_MANAGE),
            rule(GET, "/devices/:id/shadows", DEVICES_READ),
            rule(GET, "/devices/:id/shadows/:name", DEVICES_READ),
            rule(POST, "/devices/:id/shadows/:name", DEVICES_MANAGE),
            rule(DELETE, "/devices/:id/shadows/:name", DEVICES_MANAGE),
            // ConsoleRoutes (login links on the admin API; the rest under the console's base)
            rule(POST, "/console/login-links", CONSOLE_LOGIN),
            rule(GET, "/session", CONSOLE_LOGIN),
            rule(GET, "/overview", OVERVIEW_READ),
            // LiveConsole (the overview's samples) and DeviceAdminRoutes (search, enable, disable, reprovision)
            rule(GET, "/overview/stream", OVERVIEW_READ),
            rule(GET, "/overview/history", OVERVIEW_READ),
            rule(GET, "/devices", DEVICES_READ),
            rule(POST, "/devices/:id/enable", DEVICES_MANAGE),
            rule(POST, "/devices/:id/disable", DEVICES_MANAGE),
            rule(POST, "/devices/:id/reprovision", DEVICES_MANAGE),
            rule(POST, "/logout", CONSOLE_LOGIN));

    private static final List<Compiled> COMPILED = TABLE.stream().map(r -> new Compiled(r, r.pattern())).toList();

    private record Compiled(Rule rule, Pattern pattern) {}

    private RoutePermissions() {}

    /** The row for a request, {@code relativePath} without the base; empty when no row matches. */
    public static Optional<Rule> find(HttpMethod method, String relativePath) {
        HttpMethod m = method == HttpMethod.HEAD ? HttpMethod.GET : method;
        return COMPILED.stream().filter(c -> c.rule().method().equals(m) && c.pattern().matcher(relativePath).matches())
                .map(Compiled::rule).findFirst();
    }
}
