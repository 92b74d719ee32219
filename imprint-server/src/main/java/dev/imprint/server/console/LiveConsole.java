package dev.imprint.server.console;

import dev.imprint.hub.HubBackend;
import dev.imprint.server.http.DeviceAdminRoutes;
import dev.imprint.server.http.Responses;
import dev.imprint.server.hub.HubRoutes;
import dev.imprint.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's live overview and device page on the server: the {@link FleetSampler} (every
 * {@code IMPRINT_CONSOLE_SAMPLE_MS}, default 5 s), its samples as server-sent events
 * ({@code GET /console/api/overview/stream?range=15m|1h|24h}: one {@code history} event with the
 * range's samples, then a {@code sample} event per interval) and as JSON
 * ({@code /overview/history}), and the admin API's device routes (hub back-end, device actions)
 * under the console's API, where the console's session and the role table guard them.
 * Mount after {@link ConsoleRoutes#mount}, which puts the session check on {@code /console/api/*}.
 */
public final class LiveConsole {
    private static final Logger LOG = LoggerFactory.getLogger(LiveConsole.class);
    public static final String SAMPLE_ENV = "IMPRINT_CONSOLE_SAMPLE_MS";
    /** Streams open at once on this node; more are refused (503 CONSOLE_STREAMS_FULL): each holds a connection. */
    static final int MAX_STREAMS = 64;

    private LiveConsole() {}

    /** What the device page and the overview read. */
    public record Services(Store store, MeterRegistry meters, List<String> cas, HubBackend backend, BiConsumer<String, String> desiredPatched) {}

    public static FleetSampler mount(Router r, Vertx vertx, Services s, Map<String, String> env) {
        Duration every = Duration.ofMillis(Math.max(200, Long.parseLong(env.getOrDefault(SAMPLE_ENV, "5000"))));
        FleetSampler sampler = new FleetSampler(s.store(), s.meters(), s.cas(), Clock.systemUTC(), every);
        // the baseline, then one sample per interval; a failed read is logged and the next one tries again
        Consumer<Void> tick = v -> vertx.executeBlocking(sampler::sample, true).onFailure(e ->
                LOG.warn("event=console.sample_failed msg=\"{}\"", e.toString()));
        tick.accept(null);
        vertx.setPeriodic(every.toMillis(), id -> tick.accept(null));

        staticFile(r, "overview.js", "text/javascript; charset=utf-8", ConsoleRoutes.resource("overview.js"));
        staticFile(r, "device.js", "text/javascript; charset=utf-8", ConsoleRoutes.resource("device.js"));
        staticFile(r, "uplot.js", "text/javascript; charset=utf-8", webjar("uplot", "dist/uPlot.iife.min.js"));
        staticFile(r, "uplot.css", "text/css; charset=utf-8", webjar("uplot", "dist/uPlot.min.css"));

        AtomicInteger streams = new AtomicInteger();
        String api = ConsoleRoutes.API;
        r.get(api + "/overview/history").handler(ctx -> vertx.executeBlocking(() -> history(sampler, ctx.queryParams().get("range")), false)
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        Responses.json(ctx, 200, ar.result());
                    } else {
                        ctx.fail(ar.cause());
                    }
                }));
        r.get(api + "/overview/stream").handler(ctx -> stream(vertx, ctx, sampler, streams));
        HubRoutes.mount(r, api, vertx, s.backend(), s.desiredPatched());
        DeviceAdminRoutes.mount(r, api, vertx, s.store(), s.backend()::deviceChanged);
        return sampler;
    }

    private static Map<String, Object> history(FleetSampler sampler, String range) {
        FleetSampler.Range rg = FleetSampler.Range.parse(range);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("range", rg.span.toSeconds());
        m.put("interval", sampler.interval().toMillis() / 1000.0);
        m.put("samples", sampler.history(rg));
        return m;
    }

    private static void stream(Vertx vertx, RoutingContext ctx, FleetSampler sampler, AtomicInteger streams) {
        if (streams.incrementAndGet() > MAX_STREAMS) {
            streams.decrementAndGet();
            LOG.info("event=console.refused path={} code=CONSOLE_STREAMS_FULL", ctx.normalizedPath());
            Responses.error(ctx, 503, "CONSOLE_STREAMS_FULL", "too many live overviews open on this node; try again later");
            return;
        }
        HttpServerResponse res = ctx.response();
        res.setChunked(true).putHeader("Content-Type", "text/event-stream; charset=utf-8").putHeader("Cache-Control", "no-store");
        Context here = vertx.getOrCreateContext();
        String range = ctx.queryParams().get("range");
        Consumer<FleetSampler.Sample> listener = sample -> here.runOnContext(v -> {
            // a reader that does not keep up misses samples rather than growing our buffer
            if (!res.ended() && !res.closed() && !res.writeQueueFull()) {
                send(res, "sample", sample);
            }
        });
        Runnable done = () -> {
            if (sampler.listening(listener)) {
                sampler.removeListener(listener);
                streams.decrementAndGet();
            }
        };
        res.closeHandler(v -> done.run());
        res.exceptionHandler(e -> done.run());
        vertx.executeBlocking(() -> history(sampler, range), false).onComplete(ar -> {
            if (ar.failed()) {
                streams.decrementAndGet();
                ctx.fail(ar.cause());
                return;
            }
            if (res.closed()) {
                streams.decrementAndGet();
                return;
            }
            // the retry hint keeps a browser's reconnection after a restart quick
            res.write("retry: 3000\n\n");
            send(res, "history", ar.result());
            sampler.onSample(listener);
        });
    }

    private static void staticFile(Router r, String name, String type, byte[] body) {
        r.get("/console/static/" + name).handler(ctx -> Responses.bytes(ctx, 200, type,
                Map.of("X-Content-Type-Options", "nosniff", "Cache-Control", "no-cache"), body));
    }

    /**
     * A file of an npm package vendored as a webjar (the version pinned in the parent POM, read
     * from the webjar's own Maven properties so that a version bump needs no code change).
     */
    public static byte[] webjar(String pkg, String path) {
        String props = "/META-INF/maven/org.webjars.npm/" + pkg + "/pom.properties";
        try (java.io.InputStream in = LiveConsole.class.getResourceAsStream(props)) {
            if (in == null) {
                throw new IllegalStateException("the webjar org.webjars.npm:" + pkg + " is missing from the class path");
            }
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            String file = "/META-INF/resources/webjars/" + pkg + "/" + p.getProperty("version") + "/" + path;
            try (java.io.InputStream f = LiveConsole.class.getResourceAsStream(file)) {
                if (f == null) {
                    throw new IllegalStateException(file + " is missing from the webjar");
                }
                return f.readAllBytes();
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void send(HttpServerResponse res, String event, Object data) {
        try {
            res.write("event: " + event + "\ndata: " + new String(Responses.JSON.writeValueAsBytes(data), StandardCharsets.UTF_8) + "\n\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
