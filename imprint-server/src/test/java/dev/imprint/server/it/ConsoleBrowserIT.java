package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.ca.IssuanceRequest;
import dev.imprint.ca.IssuedCertificate;
import dev.imprint.device.Csrs;
import dev.imprint.device.DeviceKey;
import dev.imprint.device.MemoryState;
import dev.imprint.device.cloud.CloudConfig;
import dev.imprint.device.cloud.CloudMessage;
import dev.imprint.device.cloud.DeviceClient;
import dev.imprint.device.cloud.DeviceRuntime;
import dev.imprint.device.cloud.Identity;
import dev.imprint.server.console.ConsoleRoutes;
import dev.imprint.server.console.LiveConsole;
import dev.imprint.server.up.Node;
import dev.imprint.store.AuditEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
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
 * The live overview and the device page with a real device (Imprint's SDK through DPS to a hub):
 * the connected count changes on an open page, a c2d message sent from the page arrives, a method's
 * answer is shown; what each role sees and is refused; axe-core finds no serious or critical
 * violation on either page; screenshots of both go to {@code docs/images/}.
 */
@Timeout(90)
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
    static DeviceRuntime rt;
    static DeviceClient device;
    static final BlockingQueue<CloudMessage> received = new LinkedBlockingQueue<>();
    /** The README shows these; the IT runs in the module's folder. */
    static final Path IMAGES = Path.of("..", "docs", "images");

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs Debian's chromium and chromium-driver (scripts/test installs them)");
        env = Fixture.env();
        // two hubs and DPS on this test's own loopback addresses; samples every half second
        env.put("IMPRINT_HUBS", "hub-1=127.0.12.1:" + Fixture.freePort() + ",hub-2=127.0.12.2:" + Fixture.freePort());
        env.put("IMPRINT_DPS_HTTPS_ADDRESS", "127.0.12.1");
        env.put("IMPRINT_DPS_HTTPS_PORT", "0");
        env.put("IMPRINT_DPS_MQTT_PORT", "-1");
        env.put(LiveConsole.SAMPLE_ENV, "500");
        server = Fixture.start(data, env);
        rt = new DeviceRuntime(1);
        serial = server.authority().issue(IssuanceRequest.byAdmin("admin:test", "manufacturing",
                Csrs.build(DeviceKey.generate(), "console-dev-1"))).certificate().getSerialNumber().toString(16);
        server.authority().issue(IssuanceRequest.byAdmin("admin:test", "manufacturing", Csrs.build(DeviceKey.generate(), "console-dev-2")));
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1280,1000",
                // Imprint's chain is not in the browser's store; the endpoint's TLS is tested elsewhere
                "--ignore-certificate-errors");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, o);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20)).scriptTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    static void down() {
        if (device != null) {
            device.close();
        }
        if (rt != null) {
            rt.close();
        }
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
    /**
     * How often a wait looks again. Selenium's default, 500 ms, was most of this class's time: a page
     * renders in tens of milliseconds, and a wait that misses once slept the whole half second.
     */
    static final Duration POLL = Duration.ofMillis(50);

    /**
     * A bounded wait that looks again every {@link #POLL}; an element the page replaced between
     * finding and reading it (a re-render) counts as not there yet.
     */
    static org.openqa.selenium.support.ui.FluentWait<org.openqa.selenium.WebDriver> waiting(Duration timeout) {
        return new WebDriverWait(browser, timeout, POLL).ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    }

    static WebElement await(By by) {
        return waiting(WAIT).until(d -> d.findElements(by).stream().filter(WebElement::isDisplayed).findFirst().orElse(null));
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
        // the unfiltered list (with this row among the others' certificates) may still be showing: wait for the filtered one
        waiting(WAIT).until(d -> location().contains("device=console-dev-1")
                && d.findElements(By.cssSelector("#view[data-loaded=certificates] tbody tr")).size() == 1);
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

    @Test
    void live_overview_counts_a_device_and_the_device_page_reaches_it() throws Exception {
        browser.get(loginLink());
        await(By.cssSelector("#live-state[data-live=true]"));
        await(By.cssSelector("#chart-connected canvas"));
        String before = await(By.id("live-connected")).getText();
        js("window.imprintNotReloaded = true;");

        String id = "console-live-1";
        DeviceKey key = DeviceKey.generate();
        device = new DeviceClient(rt, CloudConfig.fromEndpoints(data), id, factoryIdentity(id, key), new MemoryState(key, id),
                DeviceClient.Options.defaults(), null);
        device.onCloudToDevice(received::add);
        device.onMethod("reboot", payload -> "{\"rebooting\":true,\"request\":" + new String(payload, StandardCharsets.UTF_8) + "}");
        device.start().get(30, TimeUnit.SECONDS);
        // the open page's count follows, without a reload
        waiting(Duration.ofSeconds(20)).until(d ->
                d.findElement(By.id("live-connected")).getText().equals(Long.toString(Long.parseLong(before) + 1)));
        assertThat(js("return window.imprintNotReloaded === true;")).isEqualTo(true);
        assertThat(browser.findElement(By.id("live-hubs")).getText()).containsPattern("hub-[12] 1");

        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            acks.add(device.send(("{\"temperature\":" + (20 + i % 3) + ".5,\"battery\":" + (90 - i) + "}").getBytes(StandardCharsets.UTF_8), Map.of()));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        waiting(Duration.ofSeconds(20)).until(d -> server.store().telemetry().recent(id, 10).size() == 6);
        assertAccessible("overview");
        screenshot("console-overview.png");

        // find it by ID prefix, open its page
        browser.findElement(By.cssSelector("nav a[data-view=device]")).click();
        await(By.id("device-search")).sendKeys("console-li");
        browser.findElement(By.id("device-search-go")).click();
        await(By.cssSelector("#device-results a")).click();
        await(By.cssSelector("#device-summary[data-loaded=true]"));
        assertThat(browser.findElement(By.cssSelector("#device-session dd[data-field='Connected']")).getText()).isEqualTo("yes");
        assertThat(browser.findElement(By.cssSelector("#device-session dd[data-field='Address']")).getText()).matches("/127\\.0\\.\\d+\\.\\d+:\\d+");
        await(By.cssSelector("#device-certificates[data-loaded=true]"));
        assertThat(browser.findElement(By.id("device-certificates")).getText()).contains("operational", "manufacturing");
        await(By.cssSelector("#device-registrations[data-loaded=true]"));
        assertThat(browser.findElement(By.id("device-registrations")).getText()).contains("assigned");
        await(By.cssSelector("#telemetry-chart canvas"));

        // a cloud-to-device message from the page reaches the device
        WebElement body = browser.findElement(By.id("c2d-body"));
        body.clear();
        body.sendKeys("from the console");
        browser.findElement(By.id("c2d-send")).click();
        CloudMessage m = received.poll(20, TimeUnit.SECONDS);
        assertThat(m).isNotNull();
        assertThat(m.text()).isEqualTo("from the console");

        // a direct method: the device's answer is shown
        WebElement payload = browser.findElement(By.id("method-payload"));
        payload.clear();
        payload.sendKeys("{\"delay\":2}");
        browser.findElement(By.id("method-invoke")).click();
        waiting(Duration.ofSeconds(20)).until(d -> d.findElement(By.id("method-result")).getText().startsWith("status 200"));
        assertThat(browser.findElement(By.id("method-result")).getText()).contains("\"rebooting\": true", "\"delay\": 2");

        // twin desired properties from the page, in the store
        WebElement patch = browser.findElement(By.id("twin-patch"));
        patch.clear();
        patch.sendKeys("{\"interval\": 7}");
        browser.findElement(By.id("twin-update")).click();
        waiting(Duration.ofSeconds(10)).until(d -> d.findElement(By.id("twin-desired")).getText().contains("\"interval\": 7"));
        assertThat(server.store().twins().get(id).desired()).contains("\"interval\":7");
        assertAccessible("device");
        screenshot("console-device.png");

        // disable from the page: the store and the audit log say so, the session ends; enable again
        browser.findElement(By.id("device-disable")).click();
        waiting(Duration.ofSeconds(10)).until(d -> !server.store().deviceRegistry().find(id).orElseThrow().enabled());
        waiting(Duration.ofSeconds(10)).until(d -> server.store().sessions().find(id).isEmpty());
        assertThat(server.store().audit().list(0, 10_000)).anyMatch(e -> e.type().equals("device.disabled") && id.equals(e.subject())
                && e.actor().startsWith("admin:"));
        await(By.id("device-enable")).click();
        waiting(Duration.ofSeconds(10)).until(d -> server.store().deviceRegistry().find(id).orElseThrow().enabled());
    }

    @Test
    void each_role_sees_and_is_refused_what_it_should() throws Exception {
        Path ops = profile.resolve("op-ops");
        Path aud = profile.resolve("op-aud");
        Path fab = profile.resolve("op-fab");
        Path sec = profile.resolve("op-sec");
        cliOk("station", "create", "fab1", "--ids", "fab1-[0-9]+", "--out", profile.resolve("st-fab1").toString());
        cliOk("operator", "add", "ops", "--role", "operator", "--out", ops.toString());
        cliOk("operator", "add", "aud", "--role", "auditor", "--out", aud.toString());
        cliOk("operator", "add", "fab", "--role", "factory", "--station", "fab1", "--out", fab.toString());
        cliOk("operator", "add", "sec", "--role", "security", "--out", sec.toString());
        HttpClient http = insecure();
        String[] auditor = consoleSession(http, aud);
        String[] operator = consoleSession(http, ops);
        String[] factory = consoleSession(http, fab);
        String[] security = consoleSession(http, sec);

        // the overview: every role that reads the fleet; not a factory account
        assertThat(consoleCall(http, auditor, "GET", "/overview/history?range=1h").statusCode()).isEqualTo(200);
        assertThat(consoleCall(http, operator, "GET", "/overview/history").statusCode()).isEqualTo(200);
        assertRefused(consoleCall(http, factory, "GET", "/overview/history"), 403, "ROLE_FORBIDDEN");
        assertRefused(consoleCall(http, factory, "GET", "/overview/stream"), 403, "ROLE_FORBIDDEN");
        // the stream itself: server-sent events, the range's history first
        HttpResponse<java.io.InputStream> stream = http.send(HttpRequest.newBuilder(URI.create(base() + "/console/api/overview/stream?range=24h"))
                .header("Cookie", auditor[0]).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
            String line;
            while ((line = lines.readLine()) != null && !line.startsWith("event: ")) {
                // the retry hint comes first
            }
            assertThat(line).isEqualTo("event: history");
            assertThat(JSON.readTree(lines.readLine().substring("data: ".length())).path("range").asLong()).isEqualTo(86_400);
        }
        // the device page: reads for the auditor, changes for the operator, certificates not for the operator
        assertThat(consoleCall(http, auditor, "GET", "/devices?prefix=console").statusCode()).isEqualTo(200);
        assertRefused(consoleCall(http, auditor, "POST", "/devices/console-dev-1/c2d"), 403, "ROLE_FORBIDDEN");
        assertRefused(consoleCall(http, auditor, "POST", "/devices/console-dev-1/methods/reboot"), 403, "ROLE_FORBIDDEN");
        assertRefused(consoleCall(http, auditor, "POST", "/devices/console-dev-1/disable"), 403, "ROLE_FORBIDDEN");
        assertRefused(consoleCall(http, operator, "GET", "/certificates?device=console-dev-1"), 403, "ROLE_FORBIDDEN");
        assertRefused(consoleCall(http, operator, "POST", "/devices/console-dev-1/revoke"), 403, "ROLE_FORBIDDEN");
        assertRefused(consoleCall(http, operator, "POST", "/devices/no-such-device/disable"), 404, "DEVICE_NOT_FOUND");
        assertRefused(consoleCall(http, factory, "GET", "/devices?prefix="), 403, "ROLE_FORBIDDEN");
        assertRefused(consoleCall(http, operator, "GET", "/devices"), 400, "BAD_REQUEST");
        // the security account: the overview and certificates, no device actions
        assertThat(consoleCall(http, security, "GET", "/overview/history").statusCode()).isEqualTo(200);
        assertThat(consoleCall(http, security, "GET", "/certificates?device=console-dev-1").statusCode()).isEqualTo(200);
        assertRefused(consoleCall(http, security, "POST", "/devices/console-dev-1/c2d"), 403, "ROLE_FORBIDDEN");
        assertRefused(consoleCall(http, security, "POST", "/devices/console-dev-1/disable"), 403, "ROLE_FORBIDDEN");

        // and in the browser: the auditor reads the certificates and may change nothing; the operator the other way round
        browser.get(loginLink(aud));
        await(By.id("live-state"));
        browser.get(base() + "/#device?id=console-dev-1");
        await(By.cssSelector("#device-certificates[data-loaded=true]"));
        assertThat(browser.findElement(By.id("device-certificates")).getText()).contains("manufacturing");
        assertThat(browser.findElement(By.id("device-actions")).getText()).contains("may not change devices");
        assertThat(browser.findElements(By.id("c2d-send"))).isEmpty();
        browser.get(loginLink(ops));
        await(By.id("live-state"));
        browser.get(base() + "/#device?id=console-dev-1");
        await(By.cssSelector("#device-certificates[data-loaded=true]"));
        assertThat(browser.findElement(By.cssSelector("#device-certificates .refused")).getText()).contains("ROLE_FORBIDDEN");
        assertThat(await(By.id("c2d-send")).isDisplayed()).isTrue();
        assertThat(browser.findElements(By.id("device-revoke"))).isEmpty();
        browser.get(loginLink(fab));
        assertThat(await(By.cssSelector("#view .error")).getText()).contains("ROLE_FORBIDDEN");
    }

    private static void assertRefused(HttpResponse<String> r, int status, String code) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(JSON.readTree(r.body()).path("code").asText()).isEqualTo(code);
    }

    /** Logs in over HTTP with a link minted by this operator: {cookie, csrf}. */
    private static String[] consoleSession(HttpClient http, Path operator) throws Exception {
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(loginLink(operator))).build(), HttpResponse.BodyHandlers.ofString());
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        JsonNode session = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base() + "/console/api/session")).header("Cookie", cookie).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        return new String[] {cookie, session.path("csrf").asText()};
    }

    private static HttpResponse<String> consoleCall(HttpClient http, String[] session, String method, String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + "/console/api" + path)).header("Cookie", session[0])
                .header(ConsoleRoutes.CSRF_HEADER, session[1]).timeout(Duration.ofSeconds(10));
        b = method.equals("GET") ? b.GET() : b.method(method, HttpRequest.BodyPublishers.ofString("{}"));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String loginLink(Path operator) {
        var r = Fixture.cli("console", "login", "--data", data.toString(), "--as", operator.toString());
        assertThat(r.code()).as(r.all()).isZero();
        return r.out().trim();
    }

    private static Fixture.Run cliOk(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--data", data.toString()));
        Fixture.Run r = Fixture.cli(all.toArray(String[]::new));
        assertThat(r.code()).as(r.all()).isZero();
        return r;
    }

    /** A factory identity: a new certificate from the manufacturing CA, leaf first, no root. */
    private static Identity factoryIdentity(String id, DeviceKey key) {
        IssuedCertificate c = server.authority().issue(IssuanceRequest.byAdmin("admin:test", "manufacturing", Csrs.build(key, id)));
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(c.certificate());
        c.chain().stream().filter(x -> !x.getSubjectX500Principal().equals(x.getIssuerX500Principal())).forEach(chain::add);
        return new Identity(key, chain);
    }

    private static String location() {
        return String.valueOf(js("return location.hash;"));
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    /** Runs axe-core (the npm package, from its webjar) on the page as it is: no serious or critical violation. */
    private static void assertAccessible(String page) throws Exception {
        js(new String(LiveConsole.webjar("axe-core", "axe.min.js"), StandardCharsets.UTF_8));
        Object out = ((JavascriptExecutor) browser).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations.map(v =>"
                + " ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))})))), e => done('[\"' + e + '\"]'));");
        JsonNode violations = JSON.readTree(String.valueOf(out));
        List<String> serious = new ArrayList<>();
        for (JsonNode v : violations) {
            String line = v.path("impact").asText() + " " + v.path("id").asText() + ": " + v.path("help").asText() + " " + v.path("nodes");
            System.out.println("axe " + page + ": " + line);
            if (!v.isObject() || List.of("serious", "critical").contains(v.path("impact").asText())) {
                serious.add(line);
            }
        }
        assertThat(serious).as("axe-core on the " + page + " page").isEmpty();
    }

    private static void screenshot(String name) throws Exception {
        js("window.scrollTo(0, 0); document.activeElement.blur();");
        Files.createDirectories(IMAGES);
        Files.write(IMAGES.resolve(name), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
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
            return waiting(WAIT).until(d -> {
                String t = d.findElement(By.id(form + "-error")).getText();
                return t.isEmpty() ? null : t;
            });
        }
        // the page re-renders the form after a save: an element found before that is stale, look again
        return waiting(WAIT).until(d -> {
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
        fill("enrollment-awsPolicy", "{\"publish\":[\"$aws/things/${thing}/shadow/update\"]}");
        assertThat(submit("enrollment-form", true)).contains("RESERVED_TOPIC");
        fill("enrollment-awsPolicy", "{\"publish\":[\"factory/${thing}/#\"]}");
        assertThat(submit("enrollment-form", false)).contains("enrollment form-line saved");
        var saved = server.store().enrollments().find("form-line").orElseThrow();
        assertThat(saved.awsPolicyJson()).contains("factory/${thing}/#");
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
        // an edit keeps the policy it was shown
        assertThat(saved.awsPolicyJson()).contains("factory/${thing}/#");
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
        waiting(WAIT).until(d -> server.store().stations().find("form-station").orElseThrow().revoked());
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
        waiting(WAIT).until(d -> server.store().operators().find("form-op").orElseThrow().revoked());
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
