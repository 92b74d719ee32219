package dev.imprint.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * The merge both dialects apply to a device document: RFC 7396 (null deletes a member, objects
 * merge, anything else, arrays included, replaces), and the AWS-style metadata kept beside it
 * (per leaf {@code {"timestamp":s}}, arrays as one entry per element). Members starting with
 * {@code $} (the twin's {@code $version}) are never stored.
 */
public final class ShadowJson {
    public static final ObjectMapper JSON = new ObjectMapper();

    private ShadowJson() {}

    /** Parses a JSON object. @throws IllegalArgumentException for anything else */
    public static ObjectNode object(String json) {
        try {
            if (JSON.readTree(json) instanceof ObjectNode o) {
                return o;
            }
        } catch (JsonProcessingException | IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalArgumentException("not a JSON object");
    }

    /** Merges {@code patch} into {@code target} in place. */
    public static void merge(ObjectNode target, ObjectNode patch) {
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().startsWith("$")) {
                continue;
            }
            JsonNode v = e.getValue();
            if (v.isNull()) {
                target.remove(e.getKey());
            } else if (v.isObject() && target.get(e.getKey()) instanceof ObjectNode existing) {
                merge(existing, (ObjectNode) v);
            } else {
                target.set(e.getKey(), v.deepCopy());
            }
        }
    }

    /** Stamps the leaves {@code patch} sets with {@code epochSeconds} (and drops what it deletes) in {@code metadata}, in place. */
    public static void stamp(ObjectNode metadata, ObjectNode patch, long epochSeconds) {
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().startsWith("$")) {
                continue;
            }
            JsonNode v = e.getValue();
            if (v.isNull()) {
                metadata.remove(e.getKey());
            } else if (v.isObject()) {
                ObjectNode m = metadata.get(e.getKey()) instanceof ObjectNode o && !o.has("timestamp") ? o : metadata.putObject(e.getKey());
                stamp(m, (ObjectNode) v, epochSeconds);
            } else {
                metadata.set(e.getKey(), leaf(v, epochSeconds));
            }
        }
    }

    private static JsonNode leaf(JsonNode v, long epochSeconds) {
        if (v.isArray()) {
            ArrayNode a = JSON.createArrayNode();
            v.forEach(x -> a.add(x.isObject() ? stamped((ObjectNode) x, epochSeconds) : leaf(x, epochSeconds)));
            return a;
        }
        return JSON.createObjectNode().put("timestamp", epochSeconds);
    }

    private static ObjectNode stamped(ObjectNode value, long epochSeconds) {
        ObjectNode m = JSON.createObjectNode();
        stamp(m, value, epochSeconds);
        return m;
    }

    /** The metadata document's section ({@code desired} or {@code reported}), created when missing. */
    public static ObjectNode section(ObjectNode metadata, String name) {
        return metadata.get(name) instanceof ObjectNode o ? o : metadata.putObject(name);
    }
}
