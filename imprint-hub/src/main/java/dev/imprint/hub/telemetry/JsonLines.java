package dev.imprint.hub.telemetry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.store.TelemetryRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The JSON form of one telemetry message, shared by the sinks and the admin API. */
public final class JsonLines {
    static final ObjectMapper JSON = new ObjectMapper();

    private JsonLines() {}

    /**
     * {@code {"seq","deviceId","hub","receivedAt","properties":{...},"body":...}}: the body as
     * JSON when it parses as JSON, else as UTF-8 text when valid, else {@code bodyBase64}.
     */
    public static ObjectNode toJson(TelemetryRecord r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("seq", r.seq());
        n.put("deviceId", r.deviceId());
        n.put("hub", r.hub());
        n.put("receivedAt", r.receivedAt().toString());
        try {
            n.set("properties", JSON.readTree(r.properties()));
        } catch (IOException e) {
            n.put("properties", r.properties());
        }
        String text = new String(r.body(), StandardCharsets.UTF_8);
        if (java.util.Arrays.equals(text.getBytes(StandardCharsets.UTF_8), r.body())) {
            try {
                n.set("body", JSON.readTree(text));
            } catch (IOException e) {
                n.put("body", text);
            }
            if (n.get("body") == null || n.get("body").isMissingNode()) {
                n.put("body", text);
            }
        } else {
            n.put("bodyBase64", Base64.getEncoder().encodeToString(r.body()));
        }
        return n;
    }
}
