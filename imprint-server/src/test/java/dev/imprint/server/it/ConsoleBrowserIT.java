package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.ca.IssuanceRequest;
import dev.imprint.device.Csrs;
import dev.imprint.device.DeviceKey;
import dev.imprint.server.console.ConsoleRoutes;
import dev.imprint.server.up.Node;
import dev.imprint.store.AuditEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser (Debian's chromium through /usr/bin/chromedriver): a one-time
 * link from {@code imprint console login}, the overview, revoking a certificate from the page
 * (checked in the store and the audit log), and the refusals: a used link, no session, no CSRF header.
 */
@Timeout(60)
class ConsoleBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path data;
    @TempDir
    static Path profile;
    static Map<String, String> env;
    static Node server;
    static WebDriver browser;
    static String serial;

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs Debian's chromium and chromium-driver (scripts/test installs them)");
        env = Fixture.env();
        server = Fixture.start(data, env);
        serial = server.authority().issue(IssuanceRequest.byAdmin("admin:test", "manufacturing",
                Csrs.build(DeviceKey.generate(), "console-dev-1"))).certificate().getSerialNumber().toString(16);
        server.authority().issue(IssuanceRequest.byAdmin("admin:test", "manufacturing", Csrs.build(DeviceKey.generate(), "console-dev-2")));
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile.toAbsolutePath(),
                // Imprint's chain is not in the browser's store; the endpoint's TLS is tested elsewhere
                "--ignore-certificate-errors");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, o);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20)).scriptTimeout(Duration.ofSeconds(10));
    }

    @AfterAll
    static void down() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    static String loginLink() {
        var r = Fixture.cli("console", "login", "--data", data.toString());
        assertThat(r.code()).as(r.all()).isZero();
        String url = r.out().trim();
        assertThat(url).startsWith(server.endpoints().admin().replace("/api/v1", "") + "/console/login?token=");
        return url;
    }

    /** Bounded, but generous: a loaded CI machine (several builds on 2 cores) renders slowly. */
    static final Duration WAIT = Duration.ofSeconds(30);

    static WebElement await(By by) {
        return new WebDriverWait(browser, WAIT).until(d -> d.findElements(by).stream().filter(WebElement::isDisplayed).findFirst().orElse(null));
    }

    @Test
    void login_link_opens_console_and_revokes_from_the_page() {
        browser.get(loginLink());
        assertThat(await(By.id("count-certificates")).getText()).isEqualTo(Long.toString(server.store().certificates().count()));
        assertThat(await(By.id("count-stations")).getText()).isEqualTo(Integer.toString(server.store().stations().list().size()));
        Cookie c = browser.manage().getCookieNamed(ConsoleRoutes.COOKIE);
        assertThat(c.isHttpOnly()).isTrue();
        assertThat(c.isSecure()).isTrue();
        assertThat(c.getSameSite()).isEqualTo("Strict");

        browser.findElement(By.cssSelector("nav a[data-view=certificates]")).click();
        WebElement filter = await(By.id("device-filter"));
        filter.sendKeys("console-dev-1");
        browser.findElement(By.id("filter")).click();
        new WebDriverWait(browser, WAIT).until(d -> d.findElements(By.cssSelector("tbody tr")).size() == 1);
        WebElement row = await(By.cssSelector("tr[data-serial='" + serial + "']"));
        new org.openqa.selenium.support.ui.Select(row.findElement(By.cssSelector("select.reason"))).selectByValue("keyCompromise");
        row.findElement(By.cssSelector("button.revoke")).click();
        assertThat(await(By.cssSelector("tr[data-serial='" + serial + "'] .revoked")).getText()).contains("keyCompromise");

        var rec = server.store().certificates().findBySerial(serial).orElseThrow();
        assertThat(rec.revoked()).isTrue();
        assertThat(rec.revocationReason()).isEqualTo(1);
        List<AuditEvent> audit = server.store().audit().list(0, 10_000);
        assertThat(audit).anyMatch(e -> e.type().equals("console.login") && e.actor().startsWith("admin:"));
        assertThat(audit).anyMatch(e -> e.type().equals("cert.revoked") && serial.equals(e.subject()) && e.actor().startsWith("admin:"));

        browser.findElement(By.cssSelector("nav a[data-view=audit]")).click();
        assertThat(await(By.id("audit-verify")).getText()).isEqualTo("hash chain intact");
        assertThat(browser.findElement(By.id("view")).getText()).contains("console.login").contains("cert.revoked");

        // every other view loads without an error from its API call
        for (String view : List.of("devices", "registrations", "enrollments", "hubs", "stations", "ledger", "overview")) {
            browser.findElement(By.cssSelector("nav a[data-view=" + view + "]")).click();
            await(By.cssSelector("#view[data-loaded=" + view + "]"));
            assertThat(browser.findElements(By.cssSelector("#view .error"))).as(view).isEmpty();
        }
        assertThat(await(By.cssSelector("#view[data-loaded=overview]")).getText()).contains("Enrollments");
    }

    @Test
    void page_without_session_says_how_to_log_in() {
        browser.manage().deleteAllCookies();
        browser.get(base() + "/");
        assertThat(await(By.id("login")).getText()).contains("imprint console login");
    }

    @Test
    void login_link_works_once() throws Exception {
        String link = loginLink();
        HttpClient http = insecure();
        HttpResponse<String> first = http.send(HttpRequest.newBuilder(URI.create(link)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(first.statusCode()).isEqualTo(303);
        assertThat(first.headers().firstValue("Set-Cookie").orElseThrow())
                .contains("Secure").containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict");
        HttpResponse<String> second = http.send(HttpRequest.newBuilder(URI.create(link)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(second.statusCode()).isEqualTo(401);
        assertThat(second.body()).contains("LOGIN_LINK_INVALID");
        HttpResponse<String> forged = http.send(HttpRequest.newBuilder(URI.create(link.replaceAll("token=.*", "token=forged"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(401);
    }

    @Test
    void api_without_session_is_401_and_page_says_how_to_log_in() throws Exception {
        HttpResponse<String> r = insecure().send(HttpRequest.newBuilder(URI.create(base() + "/console/api/certificates")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(r.body()).path("code").asText()).isEqualTo("CONSOLE_SESSION_REQUIRED");
        HttpResponse<String> bad = insecure().send(HttpRequest.newBuilder(URI.create(base() + "/console/api/overview"))
                .header("Cookie", ConsoleRoutes.COOKIE + "=not-a-session").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(bad.body()).path("code").asText()).isEqualTo("CONSOLE_SESSION_INVALID");
    }

    @Test
    void changing_call_without_csrf_header_is_403() throws Exception {
        HttpClient http = insecure();
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(loginLink())).build(), HttpResponse.BodyHandlers.ofString());
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        String victim = server.authority().issue(IssuanceRequest.byAdmin("admin:test", "manufacturing",
                Csrs.build(DeviceKey.generate(), "console-dev-3"))).certificate().getSerialNumber().toString(16);
        URI revoke = URI.create(base() + "/console/api/certificates/" + victim + "/revoke");
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.ofString("{\"reason\":\"keyCompromise\"}");
        HttpResponse<String> none = http.send(HttpRequest.newBuilder(revoke).header("Cookie", cookie).POST(body).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(none.body()).path("code").asText()).isEqualTo("CONSOLE_CSRF_MISSING");
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(revoke).header("Cookie", cookie).header(ConsoleRoutes.CSRF_HEADER, "guess")
                .POST(body).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(wrong.body()).path("code").asText()).isEqualTo("CONSOLE_CSRF_INVALID");
        assertThat(server.store().certificates().findBySerial(victim).orElseThrow().revoked()).isFalse();

        JsonNode session = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base() + "/console/api/session")).header("Cookie", cookie).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(revoke).header("Cookie", cookie)
                .header(ConsoleRoutes.CSRF_HEADER, session.path("csrf").asText()).POST(body).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(server.store().certificates().findBySerial(victim).orElseThrow().revoked()).isTrue();
        assertThat(Fixture.cli("console", "login", "--data", data.resolve("nowhere").toString()).code()).isNotZero();
    }

    private static String base() {
        return server.endpoints().admin().replace("/api/v1", "");
    }

    /** Trusts Imprint's root (no client certificate): the console's routes must not need one. */
    private static HttpClient insecure() throws Exception {
        return Fixture.https(dev.imprint.server.up.ServiceCredentials.Files.in(data).adminTrust(), null, null);
    }

    // --- the admin forms (console/admin.js): each form changes the store through the admin API, audited with the operator

    static WebElement view(String name) {
        browser.findElement(By.cssSelector("nav a[data-view=" + name + "]")).click();
        return await(By.cssSelector("#view[data-loaded=" + name + "]"));
    }

    static void fill(String id, String value) {
        WebElement e = await(By.id(id));
        if ("select".equals(e.getTagName())) {
            new org.openqa.selenium.support.ui.Select(e).selectByValue(value);
        } else {
            e.clear();
            e.sendKeys(value);
        }
    }

    /** Submits a form and waits for its error (non-empty) or for the page-wide success message. */
    static String submit(String form, boolean expectError) {
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("document.getElementById('message').textContent = ''");
        browser.findElement(By.id(form + "-submit")).click();
        if (expectError) {
            return new WebDriverWait(browser, WAIT).ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
                String t = d.findElement(By.id(form + "-error")).getText();
                return t.isEmpty() ? null : t;
            });
        }
        // the page re-renders the form after a save: an element found before that is stale, look again
        return new WebDriverWait(browser, WAIT).ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
            String error = d.findElement(By.id(form + "-error")).getText();
            if (!error.isEmpty()) {
                throw new AssertionError(form + " refused: " + error);
            }
            WebElement m = d.findElement(By.id("message"));
            return "ok".equals(m.getAttribute("class")) && !m.getText().isEmpty() ? m.getText() : null;
        });
    }

    static AuditEvent lastAudit(String type, String subject) {
        return server.store().audit().list(0, 100_000).stream().filter(e -> e.type().equals(type) && subject.equals(e.subject()))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no audit entry " + type + " " + subject));
    }

    @Test
    void hub_and_enrollment_forms_validate_save_edit_and_disable() {
        browser.get(loginLink());
        await(By.id("count-certificates"));
        view("hubs");
        fill("hub-name", "hub-form-1");
        fill("hub-hostname", "hub-form-1.example.com");
        fill("hub-weight", "0");
        assertThat(submit("hub-form", true)).contains("weight");
        assertThat(server.store().hubs().find("hub-form-1")).isEmpty();
        fill("hub-weight", "250");
        fill("hub-region", "eu");
        assertThat(submit("hub-form", false)).contains("hub hub-form-1 saved");
        assertThat(server.store().hubs().find("hub-form-1").orElseThrow().weight()).isEqualTo(250);
        assertThat(lastAudit("hub.created", "hub-form-1").actor()).startsWith("admin:");
        // edit: the row's Edit fills the form, a new weight is saved over the old row
        await(By.cssSelector("[data-hub=hub-form-1] button.edit")).click();
        assertThat(await(By.id("hub-hostname")).getAttribute("value")).isEqualTo("hub-form-1.example.com");
        fill("hub-weight", "40");
        submit("hub-form", false);
        assertThat(server.store().hubs().find("hub-form-1").orElseThrow().weight()).isEqualTo(40);
        assertThat(lastAudit("hub.updated", "hub-form-1").detailsJson()).contains("40");

        view("enrollments");
        fill("enrollment-name", "form-line");
        fill("enrollment-idPattern", "form-[0-9]+");
        fill("enrollment-allocation", "static");
        assertThat(submit("enrollment-form", true)).contains("static allocation needs");
        fill("enrollment-allocationSettings", "{\"hub\":\"hub-form-1\"}");
        fill("enrollment-ca", "no-such-ca");
        // the server's validation, shown as it answered
        assertThat(submit("enrollment-form", true)).contains("BAD_REQUEST").contains("no CA named no-such-ca");
        fill("enrollment-ca", "manufacturing");
        assertThat(submit("enrollment-form", false)).contains("enrollment form-line saved");
        var saved = server.store().enrollments().find("form-line").orElseThrow();
        assertThat(saved.allocation()).isEqualTo("static");
        assertThat(saved.allocationJson()).contains("hub-form-1");
        assertThat(saved.enabled()).isTrue();
        assertThat(lastAudit("enrollment.created", "form-line").actor()).startsWith("admin:");
        // edit the allocation: hashed over one hub
        await(By.cssSelector("[data-enrollment=form-line] button.edit")).click();
        fill("enrollment-allocation", "hashed");
        fill("enrollment-allocationSettings", "{}");
        fill("enrollment-hubs", "hub-form-1");
        submit("enrollment-form", false);
        saved = server.store().enrollments().find("form-line").orElseThrow();
        assertThat(saved.allocation()).isEqualTo("hashed");
        assertThat(saved.hubs()).containsExactly("hub-form-1");
        assertThat(lastAudit("enrollment.updated", "form-line").actor()).startsWith("admin:");
        await(By.cssSelector("[data-enrollment=form-line] button.disable")).click();
        await(By.cssSelector("[data-enrollment=form-line] button.enable"));
        assertThat(server.store().enrollments().find("form-line").orElseThrow().enabled()).isFalse();
        assertThat(lastAudit("enrollment.disabled", "form-line").actor()).startsWith("admin:");
        assertThat(browser.findElements(By.cssSelector("#view .error"))).allMatch(e -> e.getText().isEmpty());
    }

    @Test
    void station_and_operator_forms_issue_a_credential_to_download_and_revoke() {
        browser.get(loginLink());
        await(By.id("count-certificates"));
        view("stations");
        fill("station-name", "form-station");
        fill("station-idPattern", "fs-[0-9");
        assertThat(submit("station-form", true)).contains("not a regular expression");
        fill("station-idPattern", "fs-[0-9]+");
        fill("station-quota", "10");
        submit("station-form", false);
        WebElement download = await(By.id("station-download-link"));
        assertThat(download.getAttribute("download")).isEqualTo("form-station-station.pem");
        assertThat(download.getAttribute("href")).startsWith("blob:");
        var station = server.store().stations().find("form-station").orElseThrow();
        assertThat(station.quota()).isEqualTo(10);
        assertThat(lastAudit("station.created", "form-station").actor()).startsWith("admin:");
        await(By.cssSelector("[data-station=form-station] button.revoke")).click();
        browser.switchTo().alert().accept();
        await(By.cssSelector("#message.ok"));
        new WebDriverWait(browser, WAIT).until(d -> server.store().stations().find("form-station").orElseThrow().revoked());
        assertThat(lastAudit("station.revoked", "form-station").actor()).startsWith("admin:");

        view("operators");
        fill("operator-name", "form-op");
        fill("operator-role", "factory");
        assertThat(submit("operator-form", true)).contains("needs at least one station");
        fill("operator-role", "auditor");
        submit("operator-form", false);
        assertThat(await(By.id("operator-download-link")).getAttribute("download")).isEqualTo("form-op-operator.pem");
        assertThat(server.store().operators().find("form-op").orElseThrow().role()).isEqualTo("auditor");
        assertThat(lastAudit("operator.created", "form-op").actor()).startsWith("admin:");
        await(By.cssSelector("[data-operator=form-op] button.revoke")).click();
        browser.switchTo().alert().accept();
        new WebDriverWait(browser, WAIT).until(d -> server.store().operators().find("form-op").orElseThrow().revoked());
        assertThat(lastAudit("operator.revoked", "form-op").actor()).startsWith("admin:");
    }

    @Test
    void an_auditor_sees_the_refusal_and_changes_nothing() throws Exception {
        Path dir = data.resolveSibling(data.getFileName() + "-aud");
        var add = Fixture.cli("operator", "add", "form-aud", "--role", "auditor", "--out", dir.toString(), "--data", data.toString());
        assertThat(add.code()).as(add.all()).isZero();
        var link = Fixture.cli("console", "login", "--data", data.toString(), "--as", dir.toString());
        assertThat(link.code()).as(link.all()).isZero();
        browser.get(link.out().trim());
        assertThat(await(By.id("who")).getText()).contains("auditor");
        await(By.cssSelector("#view[data-loaded=overview]"));
        view("hubs");
        fill("hub-name", "aud-hub");
        fill("hub-hostname", "aud.example.com");
        assertThat(submit("hub-form", true)).contains("ROLE_FORBIDDEN");
        assertThat(server.store().hubs().find("aud-hub")).isEmpty();
        view("operators");
        fill("operator-name", "aud-made");
        assertThat(submit("operator-form", true)).contains("ROLE_FORBIDDEN");
        assertThat(server.store().operators().find("aud-made")).isEmpty();
        assertThat(server.store().audit().list(0, 100_000)).noneMatch(e -> e.type().equals("hub.created") && "aud-hub".equals(e.subject()));
    }

    @Test
    void session_survives_a_restart_and_logout_ends_it() throws Exception {
        browser.get(loginLink());
        await(By.id("count-certificates"));
        String cookie = browser.manage().getCookieNamed(ConsoleRoutes.COOKIE).getValue();
        server.close();
        server = Fixture.start(data, env);
        browser.navigate().refresh();
        // the same session, read back from the store by the new process
        assertThat(await(By.id("count-certificates")).getText()).isEqualTo(Long.toString(server.store().certificates().count()));
        assertThat(browser.findElement(By.id("who")).getText()).contains("admin");
        await(By.id("logout")).click();
        assertThat(await(By.id("login")).getText()).contains("imprint console login");
        assertThat(lastAudit("console.logout", "console").actor()).startsWith("admin:");
        HttpResponse<String> after = insecure().send(HttpRequest.newBuilder(URI.create(base() + "/console/api/overview"))
                .header("Cookie", ConsoleRoutes.COOKIE + "=" + cookie).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(after.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(after.body()).path("code").asText()).isEqualTo("CONSOLE_SESSION_INVALID");
    }
}
