package dev.imprint.dps.protocol.https;

import dev.imprint.dps.DpsException;
import dev.imprint.dps.DpsReason;
import dev.imprint.dps.protocol.Wire;
import dev.imprint.pki.LogSafe;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests Vert.x's decoder could not read, answered before any route: headers over the
 * listener's limit (431 HEADERS_TOO_LARGE), a request line over it (414 REQUEST_LINE_TOO_LONG),
 * anything else malformed (closed, MALFORMED_REQUEST). Vert.x's own handler answers the first two
 * with an empty body and nothing in the log or the metrics; here each is logged with its reason
 * code, counted in {@code imprint.https.refusals{server,reason}}, and answered in the JSON every
 * other refusal of that listener uses: Azure's error JSON on the DPS, {@code {"code","message"}}
 * elsewhere. The connection is closed after the answer (the rest of the request is not read).
 */
final class InvalidRequests {
    private static final Logger LOG = LoggerFactory.getLogger(InvalidRequests.class);
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private InvalidRequests() {}

    static HttpServer install(HttpServer http, String server, MeterRegistry meters) {
        return http.invalidRequestHandler(req -> answer(req, server, meters));
    }

    private static void answer(HttpServerRequest req, String server, MeterRegistry meters) {
        Throwable cause = req.decoderResult().cause();
        DpsReason reason = cause instanceof TooLongHttpHeaderException ? DpsReason.HEADERS_TOO_LARGE
                : cause instanceof TooLongHttpLineException ? DpsReason.REQUEST_LINE_TOO_LONG : null;
        String code = reason == null ? "MALFORMED_REQUEST" : reason.name();
        LOG.info("event=https.refused server={} remote={} reason={} msg=\"{}\"", server, req.remoteAddress(), code,
                LogSafe.of(String.valueOf(cause)));
        meters.counter("imprint.https.refusals", "server", server, "reason", code).increment();
        if (reason == null) {
            req.connection().close();
            return;
        }
        String message = reason == DpsReason.HEADERS_TOO_LARGE ? "request headers over the limit" : "request line over the limit";
        String body;
        if ("dps".equals(server)) {
            body = Wire.error(new DpsException(reason, message)).toString();
        } else {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("code", code);
            m.put("message", message);
            body = JSON.valueToTree(m).toString();
        }
        req.response().setStatusCode(reason.httpStatus()).putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader("Connection", "close").end(body);
    }
}
