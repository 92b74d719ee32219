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
        Map<String, String> env = Fixture.env();
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

    static WebElement await(By by) {
        return new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElements(by).stream().filter(WebElement::isDisplayed).findFirst().orElse(null));
    }

    @Test
    void login_link_opens_console_and_revokes_from_the_page() {
        browser.get(loginLink());
        assertThat(await(By.id("count-certificates")).getText()).isEqualTo(Long.toString(server.store().certificates().count()));
        assertThat(await(By.id("count-stations")).getText()).isEqualTo(Integer.toString(server.authority().stations().list().size()));
        Cookie c = browser.manage().getCookieNamed(ConsoleRoutes.COOKIE);
        assertThat(c.isHttpOnly()).isTrue();
        assertThat(c.isSecure()).isTrue();
        assertThat(c.getSameSite()).isEqualTo("Strict");

        browser.findElement(By.cssSelector("nav a[data-view=certificates]")).click();
        WebElement filter = await(By.id("device-filter"));
        filter.sendKeys("console-dev-1");
        browser.findElement(By.id("filter")).click();
        // the unfiltered list (with this row among the others' certificates) may still be showing: wait for the filtered one
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> location().contains("device=console-dev-1")
                && d.findElements(By.cssSelector("#view[data-loaded=certificates] tbody tr")).size() == 1);
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
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d ->
                d.findElement(By.id("live-connected")).getText().equals(Long.toString(Long.parseLong(before) + 1)));
        assertThat(js("return window.imprintNotReloaded === true;")).isEqualTo(true);
        assertThat(browser.findElement(By.id("live-hubs")).getText()).containsPattern("hub-[12] 1");

        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            acks.add(device.send(("{\"temperature\":" + (20 + i % 3) + ".5,\"battery\":" + (90 - i) + "}").getBytes(StandardCharsets.UTF_8), Map.of()));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> server.store().telemetry().recent(id, 10).size() == 6);
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
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.findElement(By.id("method-result")).getText().startsWith("status 200"));
        assertThat(browser.findElement(By.id("method-result")).getText()).contains("\"rebooting\": true", "\"delay\": 2");

        // twin desired properties from the page, in the store
        WebElement patch = browser.findElement(By.id("twin-patch"));
        patch.clear();
        patch.sendKeys("{\"interval\": 7}");
        browser.findElement(By.id("twin-update")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("twin-desired")).getText().contains("\"interval\": 7"));
        assertThat(server.store().twins().get(id).desired()).contains("\"interval\":7");
        assertAccessible("device");
        screenshot("console-device.png");

        // disable from the page: the store and the audit log say so, the session ends; enable again
        browser.findElement(By.id("device-disable")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> !server.store().deviceRegistry().find(id).orElseThrow().enabled());
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> server.store().sessions().find(id).isEmpty());
        assertThat(server.store().audit().list(0, 10_000)).anyMatch(e -> e.type().equals("device.disabled") && id.equals(e.subject())
                && e.actor().startsWith("admin:"));
        await(By.id("device-enable")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> server.store().deviceRegistry().find(id).orElseThrow().enabled());
    }

    @Test
    void each_role_sees_and_is_refused_what_it_should() throws Exception {
        Path ops = profile.resolve("op-ops");
        Path aud = profile.resolve("op-aud");
        Path fab = profile.resolve("op-fab");
        cliOk("station", "create", "fab1", "--ids", "fab1-[0-9]+", "--out", profile.resolve("st-fab1").toString());
        cliOk("operator", "add", "ops", "--role", "operator", "--out", ops.toString());
        cliOk("operator", "add", "aud", "--role", "auditor", "--out", aud.toString());
        cliOk("operator", "add", "fab", "--role", "factory", "--station", "fab1", "--out", fab.toString());
        HttpClient http = insecure();
        String[] auditor = consoleSession(http, aud);
        String[] operator = consoleSession(http, ops);
        String[] factory = consoleSession(http, fab);

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
}
