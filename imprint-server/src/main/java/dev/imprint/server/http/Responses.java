package dev.imprint.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every response leaves through here: a complete body with Content-Length (never chunked: Bouncy
 * Castle's EST client needs the length) and errors as {@code {"code","message"}}.
 */
public final class Responses {
    /** Shared JSON mapper (ISO-8601 times). */
    public static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private Responses() {}

    public static void bytes(RoutingContext ctx, int status, String contentType, Map<String, String> headers, byte[] body) {
        HttpServerResponse r = ctx.response();
        if (r.ended() || r.closed()) {
            return;
        }
        r.setStatusCode(status).putHeader("Content-Type", contentType);
        headers.forEach(r::putHeader);
        r.putHeader("Content-Length", Integer.toString(body.length));
        r.end(Buffer.buffer(body));
    }

    public static void json(RoutingContext ctx, int status, Object value) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            error(ctx, 500, "INTERNAL_ERROR", "cannot encode the response");
            return;
        }
        bytes(ctx, status, "application/json", Map.of(), body);
    }

    public static void error(RoutingContext ctx, int status, String code, String message) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("message", message == null ? code : message);
        try {
            bytes(ctx, status, "application/json", Map.of(), JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            bytes(ctx, status, "text/plain", Map.of(), code.getBytes(StandardCharsets.UTF_8));
        }
    }

    public static void text(RoutingContext ctx, int status, String contentType, String body) {
        bytes(ctx, status, contentType, Map.of(), body.getBytes(StandardCharsets.UTF_8));
    }
}
