package dev.imprint.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imprint.ca.CaException;
import dev.imprint.ca.ledger.LedgerService;
import dev.imprint.pki.Pem;
import dev.imprint.store.LedgerEntry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The factory ledger over HTTPS.
 *
 * <ul>
 *   <li>{@code POST /factory/v1/ledger} (station certificate, like EST enroll): body
 *       {@code {"batch": NAME, "devices": [{"deviceId", "serial", "provisionedAt"}]}}, answer
 *       {@code {"recorded": N}}. Idempotent by serial.
 *   <li>{@code GET /factory/v1/certificates/{deviceId}} (station certificate): the certificate this
 *       station already obtained for that ID, {@code {"certificate": PEM}}, or 404 NOT_FOUND.
 *   <li>{@code GET /api/v1/ledger?batch=&station=&limit=&offset=} (admin credential; mounted after the
 *       admin routes so their authentication runs first): {@code {"total", "entries"}}.
 * </ul>
 */
public final class LedgerRoutes {
    public static final String FACTORY_BASE = "/factory/v1";
    private static final int MAX_BODY = 512 * 1024;

    private LedgerRoutes() {}

    public static void mount(Router r, Vertx vertx, LedgerService ledger) {
        r.route(FACTORY_BASE + "/*").handler(BodyHandler.create().setBodyLimit(MAX_BODY));
        r.post(FACTORY_BASE + "/ledger").handler(ctx -> {
            List<X509Certificate> peer = PeerChain.of(ctx);
            blocking(vertx, ctx, () -> confirm(ctx, ledger, peer));
        });
        r.get(FACTORY_BASE + "/certificates/:id").handler(ctx -> {
            List<X509Certificate> peer = PeerChain.of(ctx);
            String id = ctx.pathParam("id");
            blocking(vertx, ctx, () -> Map.of("certificate", Pem.write(parse(ledger.stationCertificate(peer, id)
                    .orElseThrow(() -> new CaException(CaException.Reason.NOT_FOUND, "this station holds no certificate for " + id))))));
        });
        mountAdmin(r, AdminRoutes.BASE, vertx, ledger);
    }

    /** {@code GET base/ledger} behind the caller's authentication (the admin API's, or the web console's session). */
    public static void mountAdmin(Router r, String base, Vertx vertx, LedgerService ledger) {
        r.get(base + "/ledger").handler(ctx -> blocking(vertx, ctx, () -> {
            String batch = ctx.queryParams().get("batch");
            batch = batch == null || batch.isBlank() ? null : batch;
            int limit = intParam(ctx, "limit", 1000, 1, 100_000);
            int offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
            Map<String, Object> out = new LinkedHashMap<>();
            String station = ctx.queryParams().get("station");
            station = station == null || station.isBlank() ? null : station;
            out.put("total", ledger.count(batch, station));
            out.put("entries", ledger.list(batch, station, limit, offset).stream().map(LedgerRoutes::entry).toList());
            return out;
        }));
    }

    private static Object confirm(RoutingContext ctx, LedgerService ledger, List<X509Certificate> peer) {
        JsonNode body;
        try {
            var buf = ctx.body().buffer();
            body = buf == null ? null : Responses.JSON.readTree(buf.getBytes());
        } catch (IOException e) {
            throw new IllegalArgumentException("the request body is not JSON");
        }
        if (body == null || !body.path("devices").isArray()) {
            throw new IllegalArgumentException("expected {\"batch\": NAME, \"devices\": [...]}");
        }
        List<LedgerService.Confirmation> list = new ArrayList<>();
        for (JsonNode d : body.path("devices")) {
            Instant at;
            try {
                at = Instant.parse(d.path("provisionedAt").asText());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("provisionedAt must be an ISO-8601 instant");
            }
            list.add(new LedgerService.Confirmation(d.path("deviceId").asText(null), d.path("serial").asText(null), at));
        }
        List<LedgerEntry> recorded = ledger.confirm(peer, body.path("batch").asText(""), list);
        return Map.of("recorded", recorded.size());
    }

    static Map<String, Object> entry(LedgerEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("deviceId", e.deviceId());
        m.put("serial", e.serialHex());
        m.put("keyFingerprint", e.keyFingerprint());
        m.put("station", e.station());
        m.put("batch", e.batch());
        m.put("provisionedAt", e.provisionedAt().toString());
        m.put("recordedAt", e.recordedAt().toString());
        return m;
    }

    private static X509Certificate parse(byte[] der) {
        try {
            return dev.imprint.pki.Pem.certificate(der);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("stored certificate does not parse", e);
        }
    }

    private static int intParam(RoutingContext ctx, String name, int dflt, int min, int max) {
        String v = ctx.queryParams().get(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min || n > max) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number");
        }
    }

    private static void blocking(Vertx vertx, RoutingContext ctx, Callable<Object> call) {
        vertx.executeBlocking(call, false).onComplete(ar -> {
            if (ar.succeeded()) {
                Responses.json(ctx, 200, ar.result());
            } else {
                Http.fail(ctx, ar.cause());
            }
        });
    }
}
