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
    static Node server;
    static WebDriver browser;
    static String serial;

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs Debian's chromium and chromium-driver (scripts/test installs them)");
        server = Fixture.start(data, Fixture.env());
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

    static WebElement await(By by) {
        return new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElements(by).stream().filter(WebElement::isDisplayed).findFirst().orElse(null));
    }

    @Test
    void login_link_opens_console_and_revokes_from_the_page() {
        browser.get(loginLink());
        assertThat(await(By.id("count-certificates")).getText()).isEqualTo(Long.toString(server.store().certificates().count()));
        assertThat(await(By.id("count-stations")).getText()).isEqualTo("0");
        Cookie c = browser.manage().getCookieNamed(ConsoleRoutes.COOKIE);
        assertThat(c.isHttpOnly()).isTrue();
        assertThat(c.isSecure()).isTrue();
        assertThat(c.getSameSite()).isEqualTo("Strict");

        browser.findElement(By.cssSelector("nav a[data-view=certificates]")).click();
        WebElement filter = await(By.id("device-filter"));
        filter.sendKeys("console-dev-1");
        browser.findElement(By.id("filter")).click();
        WebElement row = await(By.cssSelector("tr[data-serial='" + serial + "']"));
        assertThat(browser.findElements(By.cssSelector("tbody tr"))).hasSize(1);
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
}
