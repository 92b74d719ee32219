package dev.imprint.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.imprint.ca.Authority;
import dev.imprint.ca.CaSettings;
import dev.imprint.ca.IssuanceRequest;
import dev.imprint.pki.CryptoProviders;
import dev.imprint.pki.KeyAlgorithm;
import dev.imprint.store.JdbcStore;
import dev.imprint.store.Store;
import dev.imprint.testkit.FuzzFrames;
import dev.imprint.testkit.TempDirs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The admin API's routes (the web console serves the same ones under its session) behind an
 * authentication that let the request through: JSON bodies, path and query parameters, over a
 * real Vert.x router on loopback with a real CA and SQLite store. Input frames: route, parameter,
 * body. Every answer is JSON and never a 500: a bad request is the caller's 4xx with a code.
 */
class AdminApiFuzzTest {
    static final String BASE = "/api/v1";
    static final Path DIR = TempDirs.create("admin-fuzz");
    static final Store STORE;
    static final Authority CA;
    static final Vertx VERTX = Vertx.vertx();
    static final HttpServer SERVER;
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final String SERIAL;
    /** Route templates: method and path; {} is the fuzzed parameter. */
    static final List<String[]> ROUTES = List.of(
            new String[] {"GET", BASE + "/stations"},
            new String[] {"POST", BASE + "/stations"},
            new String[] {"POST", BASE + "/stations/{}/revoke"},
            new String[] {"GET", BASE + "/certificates?{}"},
            new String[] {"POST", BASE + "/certificates/{}/revoke"},
            new String[] {"POST", BASE + "/devices/{}/revoke"},
            new String[] {"POST", BASE + "/audit/verify"},
            new String[] {"POST", BASE + "/{}"});

    static {
        // Jazzer's regex-injection and SSRF detectors are off for this module's fuzz targets:
        // src/test/resources/junit-platform.properties says why (a JUnit configuration parameter
        // is read before Jazzer's agent starts, whichever way the test is run).
        CryptoProviders.install();
        STORE = JdbcStore.sqlite(DIR.resolve("imprint.db"));
        CA = Authority.open(CaSettings.defaults(DIR.resolve("pki"), "fuzz-pass".toCharArray(), "http://127.0.0.1:8080"), STORE);
        CA.stations().create("line-1", "dev-[0-9]+", 0, 0, "admin:fuzz");
        SERIAL = CA.issue(IssuanceRequest.byAdmin("admin:fuzz", "manufacturing", csr("dev-1"))).serialHex();
        Router r = Router.router(VERTX);
        Http.jsonErrors(r, new SimpleMeterRegistry());
        r.route(BASE + "/*").handler(BodyHandler.create().setBodyLimit(64 * 1024));
        r.route(BASE + "/*").handler(ctx -> {
            AdminRoutes.actAs(ctx, "admin:fuzz");
            ctx.next();
        });
        AdminRoutes.routes(r, BASE, VERTX, CA);
        try {
            // as Node builds the admin listener: requests Vert.x cannot decode get the listener's JSON refusal too
            SERVER = dev.imprint.dps.protocol.https.RequestDeadline.install(VERTX.createHttpServer(), Duration.ofSeconds(30), "https",
                    new SimpleMeterRegistry()).requestHandler(r).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Real requests, made now: create a station, list, revoke a real serial with a reason, revoke a device, page certificates. */
    static Stream<byte[]> seeds() {
        return Stream.of(
                request(1, "", "{\"name\":\"line-2\",\"idPattern\":\"dev-[0-9]+\",\"quota\":100,\"rate\":10}"),
                request(0, "", ""),
                request(4, SERIAL, "{\"reason\":\"keyCompromise\"}"),
                request(5, "dev-1", "{\"reason\":\"superseded\"}"),
                request(3, "limit=10&offset=0&device=dev-1", ""),
                request(2, "line-1", ""),
                request(6, "", "{}"));
    }

    @MethodSource("seeds")
    @FuzzTest
    void any_admin_request_is_answered_json_and_never_500(byte[] data) throws IOException, InterruptedException {
        List<byte[]> f = FuzzFrames.split(data, 3);
        if (f.isEmpty() || f.get(0).length == 0) {
            return;
        }
        String[] route = ROUTES.get((f.get(0)[0] & 0xff) % ROUTES.size());
        String param = f.size() > 1 ? new String(f.get(1), StandardCharsets.UTF_8) : "";
        byte[] body = f.size() > 2 ? f.get(2) : new byte[0];
        String path = route[1].contains("?") ? route[1].replace("{}", param)
                : route[1].replace("{}", URLEncoder.encode(param, StandardCharsets.UTF_8).replace("+", "%20"));
        URI uri;
        try {
            uri = URI.create("http://127.0.0.1:" + SERVER.actualPort() + path);
        } catch (IllegalArgumentException notAUri) {
            return; // the HTTP client cannot send it; the server never sees it
        }
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(9)) // under libFuzzer's 10 s: a hang is reported as one
                .header("Content-Type", "application/json");
        req = route[0].equals("GET") ? req.GET() : req.POST(HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<String> resp = CLIENT.send(req.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).as("%s %s -> %s", route[0], path, resp.body()).isLessThan(500);
        assertThat(resp.body()).as("%s %s", route[0], path).matches("(?s)\\s*[\\[{].*");
    }

    static byte[] request(int route, String param, String body) {
        return FuzzFrames.join(new byte[] {(byte) route}, param.getBytes(StandardCharsets.UTF_8), body.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] csr(String id) {
        try {
            KeyPair kp = KeyAlgorithm.EC_P256.generate();
            return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + id), kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }


    @AfterAll
    static void close() throws Exception {
        VERTX.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        CA.close();
        STORE.close();
        TempDirs.delete(DIR);
    }
}
