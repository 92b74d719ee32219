package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.server.access.RoutePermissions;
import dev.imprint.server.console.ConsoleRoutes;
import dev.imprint.server.up.Node;
import dev.imprint.server.up.ServiceCredentials;
import io.vertx.core.http.HttpMethod;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operator accounts over real mutual TLS, one real certificate per role made by
 * {@code imprint operator add}: each role allowed its routes and refused the others (403 with a
 * reason code, counted), audit entries naming the operator, revocation taking effect at once, the
 * console enforcing the same table, and every mounted admin route covered by the table.
 */
class OperatorsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path data;
    @TempDir
    static Path work;
    static Node server;
    static HttpClient admin;

    @BeforeAll
    static void up() throws Exception {
        Map<String, String> env = Fixture.env();
        env.put("IMPRINT_DPS_HTTPS_PORT", "0");
        env.put("IMPRINT_DPS_MQTT_PORT", "-1");
        server = Fixture.start(data, env);
        ServiceCredentials.Files f = ServiceCredentials.Files.in(data);
        admin = Fixture.https(f.adminTrust(), f.adminCert(), f.adminKey());
        for (String st : List.of("line1", "line2")) {
            cliOk("station", "create", st, "--ids", st + "-[0-9]+", "--out", work.resolve(st).toString());
        }
        cliOk("operator", "add", "sec", "--role", "security", "--out", dir("sec"));
        cliOk("operator", "add", "ops", "--role", "operator", "--out", dir("ops"));
        cliOk("operator", "add", "fab", "--role", "factory", "--station", "line1", "--out", dir("fab"));
        cliOk("operator", "add", "aud", "--role", "auditor", "--out", dir("aud"));
    }

    @AfterAll
    static void down() {
        if (server != null) {
            server.close();
        }
    }

    private static String dir(String operator) {
        return work.resolve("op-" + operator).toString();
    }

    private static Fixture.Run cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--data", data.toString()));
        return Fixture.cli(all.toArray(String[]::new));
    }

    private static Fixture.Run cliOk(String... args) {
        Fixture.Run r = cli(args);
        assertThat(r.code()).as(r.all()).isZero();
        return r;
    }

    private static HttpClient as(String operator) throws Exception {
        Path d = Path.of(dir(operator));
        return Fixture.https(d.resolve("trust.crt"), d.resolve("operator.crt"), d.resolve("operator.key"));
    }

    record Reply(int status, JsonNode body) {
        String code() {
            return body == null ? null : body.path("code").asText();
        }
    }

    private static Reply call(HttpClient client, String method, String path, String body) throws Exception {
        return send(client, HttpRequest.newBuilder(URI.create(server.endpoints().admin() + path)), method, body);
    }

    private static Reply send(HttpClient client, HttpRequest.Builder b, String method, String body) throws Exception {
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
    }

    private static void allowed(HttpClient c, String method, String path, String body) throws Exception {
        Reply r = call(c, method, path, body);
        assertThat(r.status()).as("%s %s: %s", method, path, r.body()).isBetween(200, 299);
    }

    private static void refused(HttpClient c, String method, String path, String code) throws Exception {
        Reply r = call(c, method, path, method.equals("GET") ? null : "{}");
        assertThat(r.status()).as("%s %s: %s", method, path, r.body()).isEqualTo(403);
        assertThat(r.code()).isEqualTo(code);
    }

    @Test
    void the_existing_admin_credential_is_the_first_admin_account_and_list_shows_every_role() throws Exception {
        JsonNode list = JSON.readTree(cliOk("operator", "list", "--json").out());
        assertThat(list.findValuesAsText("name")).contains("admin", "sec", "ops", "fab", "aud");
        assertThat(list.get(0).path("name").asText()).isEqualTo("admin");
        assertThat(list.get(0).path("role").asText()).isEqualTo("admin");
        assertThat(cliOk("operator", "list").out()).containsPattern("fab\\s+factory\\s+active\\s+admin:admin\\s+line1");
    }

    @Test
    void security_manages_certificates_and_stations_but_not_devices_or_operators() throws Exception {
        HttpClient sec = as("sec");
        allowed(sec, "GET", "/certificates", null);
        allowed(sec, "GET", "/stations", null);
        allowed(sec, "POST", "/stations", "{\"name\":\"sec-line\",\"idPattern\":\"s-.*\"}");
        allowed(sec, "GET", "/audit", null);
        refused(sec, "GET", "/enrollments", "ROLE_FORBIDDEN");
        refused(sec, "POST", "/devices/d1/c2d", "ROLE_FORBIDDEN");
        refused(sec, "POST", "/operators", "ROLE_FORBIDDEN");
    }

    @Test
    void operator_manages_the_fleet_but_not_the_ca_or_stations() throws Exception {
        HttpClient ops = as("ops");
        allowed(ops, "GET", "/enrollments", null);
        allowed(ops, "GET", "/hubs", null);
        allowed(ops, "GET", "/dps/devices", null);
        allowed(ops, "GET", "/registrations", null);
        refused(ops, "GET", "/stations", "ROLE_FORBIDDEN");
        refused(ops, "GET", "/certificates", "ROLE_FORBIDDEN");
        refused(ops, "POST", "/certificates/0a1b/revoke", "ROLE_FORBIDDEN");
        refused(ops, "POST", "/devices/d1/revoke", "ROLE_FORBIDDEN");
    }

    @Test
    void factory_sees_its_own_stations_and_their_ledger_only() throws Exception {
        HttpClient fab = as("fab");
        Reply stations = call(fab, "GET", "/stations", null);
        assertThat(stations.status()).isEqualTo(200);
        assertThat(stations.body().findValuesAsText("name")).containsExactly("line1");
        allowed(fab, "GET", "/ledger?station=line1", null);
        refused(fab, "GET", "/ledger?station=line2", "STATION_FORBIDDEN");
        refused(fab, "GET", "/ledger", "STATION_FORBIDDEN");
        refused(fab, "POST", "/stations/line1/revoke", "ROLE_FORBIDDEN");
        refused(fab, "GET", "/certificates", "ROLE_FORBIDDEN");
    }

    @Test
    void auditor_reads_everything_and_changes_nothing() throws Exception {
        HttpClient aud = as("aud");
        for (String path : List.of("/certificates", "/stations", "/operators", "/audit", "/audit/verify", "/enrollments", "/hubs", "/ledger")) {
            allowed(aud, "GET", path, null);
        }
        allowed(aud, "POST", "/audit/verify", null);
        refused(aud, "POST", "/stations", "ROLE_FORBIDDEN");
        refused(aud, "POST", "/stations/line2/revoke", "ROLE_FORBIDDEN");
        refused(aud, "POST", "/operators/sec/revoke", "ROLE_FORBIDDEN");
        refused(aud, "POST", "/enrollments", "ROLE_FORBIDDEN");
        // refusals are counted by code
        HttpResponse<String> m = admin.send(HttpRequest.newBuilder(URI.create(server.endpoints().console() + "metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(m.body()).containsPattern("imprint_access_refusals_total\\{code=\"ROLE_FORBIDDEN\",surface=\"admin\"\\} [1-9]");
    }

    @Test
    void the_cli_acts_as_the_operator_named_by_as_and_prints_the_refusal() {
        Fixture.Run r = cli("station", "create", "nope", "--ids", "n-.*", "--out", work.resolve("nope").toString(), "--as", dir("aud"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("ROLE_FORBIDDEN").contains("auditor");
        assertThat(cli("station", "list", "--as", dir("aud")).code()).isZero();
        Fixture.Run noCredential = cli("station", "list", "--as", work.resolve("empty").toString());
        assertThat(noCredential.code()).isEqualTo(2);
        assertThat(noCredential.err()).contains("operator add");
    }

    @Test
    void operator_add_refuses_bad_roles_and_station_lists() {
        Fixture.Run badRole = cli("operator", "add", "x1", "--role", "root", "--out", work.resolve("x1").toString());
        assertThat(badRole.code()).isEqualTo(1);
        assertThat(badRole.err()).contains("BAD_REQUEST").contains("admin, security, operator, factory, auditor");
        Fixture.Run noStation = cli("operator", "add", "x2", "--role", "factory", "--out", work.resolve("x2").toString());
        assertThat(noStation.err()).contains("--station");
        Fixture.Run unknownStation = cli("operator", "add", "x3", "--role", "factory", "--station", "line9", "--out", work.resolve("x3").toString());
        assertThat(unknownStation.err()).contains("no station named line9");
        Fixture.Run dup = cli("operator", "add", "sec", "--role", "auditor", "--out", work.resolve("x4").toString());
        assertThat(dup.err()).contains("OPERATOR_EXISTS");
        Fixture.Run self = cli("operator", "revoke", "admin");
        assertThat(self.err()).contains("OPERATOR_SELF");
    }

    @Test
    void audit_entries_name_the_operator_and_audit_list_filters_by_actor() throws Exception {
        cliOk("station", "create", "audited", "--ids", "a-.*", "--out", work.resolve("audited").toString(), "--as", dir("sec"));
        JsonNode bySec = JSON.readTree(cliOk("audit", "list", "--actor", "sec", "--json", "--as", dir("aud")).out());
        assertThat(bySec).isNotEmpty();
        assertThat(bySec.findValuesAsText("actor")).containsOnly("operator:sec");
        assertThat(bySec.findValuesAsText("subject")).contains("audited");
        JsonNode byAdmin = JSON.readTree(cliOk("audit", "list", "--actor", "admin", "--json").out());
        assertThat(byAdmin.findValuesAsText("type")).contains("operator.created", "station.created");
        assertThat(cliOk("audit", "list", "--limit", "5").out()).contains("ACTOR").contains("operator:");
        assertThat(cliOk("audit", "verify", "--as", dir("aud")).out()).contains("intact");
    }

    @Test
    void a_revoked_operator_is_refused_on_its_next_request() throws Exception {
        cliOk("operator", "add", "temp", "--role", "auditor", "--out", dir("temp"));
        HttpClient temp = as("temp");
        allowed(temp, "GET", "/certificates", null);
        // security holds no OPERATORS_MANAGE; the admin does
        assertThat(cli("operator", "revoke", "temp", "--as", dir("sec")).err()).contains("ROLE_FORBIDDEN");
        cliOk("operator", "revoke", "temp");
        Reply r = call(temp, "GET", "/certificates", null); // same client, same TLS connection if kept
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.code()).isEqualTo("REVOKED");
        assertThat(cliOk("operator", "list").out()).containsPattern("temp\\s+auditor\\s+revoked");
        assertThat(cli("operator", "revoke", "temp").err()).contains("OPERATOR_UNKNOWN");
    }

    @Test
    void every_mounted_admin_and_console_route_has_a_row_in_the_permission_table() {
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (var route : server.httpsRoutes()) {
            String path = route.getPath();
            if (path == null || path.endsWith("*") || route.methods() == null || route.methods().isEmpty()
                    || path.equals("/api/v1/health")) {
                continue;
            }
            String base = path.startsWith("/api/v1/") ? "/api/v1" : path.startsWith(ConsoleRoutes.API + "/") ? ConsoleRoutes.API : null;
            if (base == null) {
                continue;
            }
            for (HttpMethod m : route.methods()) {
                checked++;
                if (RoutePermissions.find(m, path.substring(base.length())).isEmpty()) {
                    missing.add(m + " " + path);
                }
            }
        }
        assertThat(checked).as("routes found").isGreaterThan(30);
        assertThat(missing).as("routes without a row in RoutePermissions.TABLE (they answer 403 ROUTE_NOT_MAPPED)").isEmpty();
    }

    @Test
    void console_sessions_carry_the_operator_and_enforce_the_same_table() throws Exception {
        String cookie = consoleLogin("aud");
        HttpClient anon = Fixture.https(Path.of(server.endpoints().trust()), null, null);
        Reply session = console(anon, cookie, null, "GET", "/session");
        assertThat(session.body().path("role").asText()).isEqualTo("auditor");
        assertThat(session.body().path("actor").asText()).isEqualTo("operator:aud");
        assertThat(console(anon, cookie, null, "GET", "/certificates").status()).isEqualTo(200);
        Reply revoke = console(anon, cookie, session.body().path("csrf").asText(), "POST", "/stations/line2/revoke");
        assertThat(revoke.status()).isEqualTo(403);
        assertThat(revoke.code()).isEqualTo("ROLE_FORBIDDEN");
        String opsCookie = consoleLogin("ops");
        Reply stations = console(anon, opsCookie, null, "GET", "/stations");
        assertThat(stations.code()).isEqualTo("ROLE_FORBIDDEN");
        assertThat(console(anon, opsCookie, null, "GET", "/enrollments").status()).isEqualTo(200);
    }

    private static String consoleLogin(String operator) throws Exception {
        Reply link = call(as(operator), "POST", "/console/login-links", "{}");
        assertThat(link.status()).as("%s", link.body()).isEqualTo(201);
        HttpClient anon = Fixture.https(Path.of(server.endpoints().trust()), null, null);
        HttpResponse<String> r = anon.send(HttpRequest.newBuilder(URI.create(link.body().path("url").asText())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(303);
        return r.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
    }

    private static Reply console(HttpClient c, String cookie, String csrf, String method, String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.endpoints().console() + "console/api" + path))
                .header("Cookie", cookie);
        if (csrf != null) {
            b.header(ConsoleRoutes.CSRF_HEADER, csrf);
        }
        return send(c, b, method, method.equals("GET") ? null : "{}");
    }
}
