package dev.imprint.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The role table decided without a server: each role both ways, each refusal with its own code. */
class AccessTest {

    private static Principal as(Role role, String... stations) {
        return new Principal("operator:" + role.wire(), role.wire(), role, Set.of(stations));
    }

    private static String decide(Role role, String method, String path, String station) {
        Decision d = Access.decide(as(role, "line1"), HttpMethod.valueOf(method), path, station);
        return d instanceof Decision.Refused r ? r.reason().name() : "ALLOWED";
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {4}")
    @CsvSource({
            // admin: everything, operator accounts included
            "ADMIN,    POST, /operators,                    , ALLOWED",
            "ADMIN,    POST, /stations/line1/revoke,        , ALLOWED",
            "ADMIN,    POST, /devices/d1/c2d,               , ALLOWED",
            // security: certificates, revocation, stations, audit; not devices, not operators
            "SECURITY, POST, /certificates/0a1b/revoke,     , ALLOWED",
            "SECURITY, POST, /stations,                     , ALLOWED",
            "SECURITY, GET,  /audit,                        , ALLOWED",
            "SECURITY, POST, /devices/d1/c2d,               , ROLE_FORBIDDEN",
            "SECURITY, POST, /operators,                    , ROLE_FORBIDDEN",
            // operator: devices, enrollments, hubs, c2d, twins, methods; no CA, no stations
            "OPERATOR, POST, /devices/d1/c2d,               , ALLOWED",
            "OPERATOR, PATCH, /devices/d1/twin/desired,     , ALLOWED",
            "OPERATOR, POST, /devices/d1/methods/reboot,    , ALLOWED",
            "OPERATOR, POST, /enrollments,                  , ALLOWED",
            "OPERATOR, POST, /hubs/hub-1/remove,            , ALLOWED",
            "OPERATOR, GET,  /stations,                     , ROLE_FORBIDDEN",
            "OPERATOR, GET,  /certificates,                 , ROLE_FORBIDDEN",
            "OPERATOR, POST, /devices/d1/revoke,            , ROLE_FORBIDDEN",
            // factory: its own stations and their ledger only
            "FACTORY,  GET,  /stations,                     , ALLOWED",
            "FACTORY,  GET,  /ledger,                 line1, ALLOWED",
            "FACTORY,  GET,  /ledger,                 line2, STATION_FORBIDDEN",
            "FACTORY,  GET,  /ledger,                      , STATION_FORBIDDEN",
            "FACTORY,  POST, /stations/line1/revoke,        , ROLE_FORBIDDEN",
            "FACTORY,  GET,  /certificates,                 , ROLE_FORBIDDEN",
            // auditor: read-only everywhere, audit verify
            "AUDITOR,  GET,  /certificates,                 , ALLOWED",
            "AUDITOR,  GET,  /operators,                    , ALLOWED",
            "AUDITOR,  POST, /audit/verify,                 , ALLOWED",
            "AUDITOR,  GET,  /devices/d1/twin,              , ALLOWED",
            "AUDITOR,  POST, /stations,                     , ROLE_FORBIDDEN",
            "AUDITOR,  POST, /devices/d1/c2d,               , ROLE_FORBIDDEN",
            // a route nobody mapped is refused whoever asks
            "ADMIN,    GET,  /shadows/d1,                   , ROUTE_NOT_MAPPED",
            "ADMIN,    DELETE, /stations,                   , ROUTE_NOT_MAPPED",
    })
    void each_role_is_allowed_its_routes_and_refused_the_others(Role role, String method, String path, String station, String expected) {
        assertThat(decide(role, method, path, station)).isEqualTo(expected);
    }

    @Test
    void a_factory_account_sees_only_its_stations() {
        assertThat(as(Role.FACTORY, "line1").seesStation("line1")).isTrue();
        assertThat(as(Role.FACTORY, "line1").seesStation("line2")).isFalse();
        assertThat(as(Role.SECURITY).seesStation("line2")).isTrue();
    }

    @Test
    void the_auditor_holds_every_read_and_nothing_that_changes() {
        assertThat(Role.AUDITOR.permissions()).allMatch(Permission::readOnly);
        assertThat(Role.AUDITOR.permissions()).containsAll(Arrays.stream(Permission.values()).filter(Permission::readOnly).toList());
        assertThat(Role.ADMIN.permissions()).containsExactlyInAnyOrder(Permission.values());
    }

    @Test
    void every_permission_guards_some_route_and_every_row_is_unique() {
        Set<Permission> used = RoutePermissions.TABLE.stream().map(RoutePermissions.Rule::permission).collect(Collectors.toSet());
        assertThat(used).containsExactlyInAnyOrder(Permission.values());
        assertThat(RoutePermissions.TABLE.stream().map(r -> r.method() + " " + r.path()).distinct().count())
                .isEqualTo(RoutePermissions.TABLE.size());
    }

    @Test
    void head_is_decided_as_get() {
        assertThat(Access.decide(as(Role.AUDITOR), HttpMethod.HEAD, "/stations", null)).isInstanceOf(Decision.Allowed.class);
    }
}
