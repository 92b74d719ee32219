package dev.imprint.device.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;

/**
 * A device twin as the hub returns it: the desired properties (set by the back-end) and the
 * reported ones (set by the device), each an object with its {@code $version}.
 */
public record Twin(JsonNode desired, JsonNode reported) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public long desiredVersion() {
        return desired.path("$version").asLong(-1);
    }

    public long reportedVersion() {
        return reported.path("$version").asLong(-1);
    }

    /** @throws CloudException BAD_RESPONSE when the hub's answer is not a twin document */
    static Twin parse(byte[] json) {
        try {
            JsonNode n = JSON.readTree(json);
            if (n == null || !n.isObject()) {
                throw CloudException.transientFailure("BAD_RESPONSE", "the twin is not a JSON object");
            }
            return new Twin(object(n.get("desired")), object(n.get("reported")));
        } catch (IOException e) {
            throw CloudException.transientFailure("BAD_RESPONSE", "the twin does not parse: " + e.getMessage());
        }
    }

    private static JsonNode object(JsonNode n) {
        return n != null && n.isObject() ? n : JsonNodeFactory.instance.objectNode();
    }
}
