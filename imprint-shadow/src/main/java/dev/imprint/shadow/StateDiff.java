package dev.imprint.shadow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.store.ShadowJson;
import java.util.Iterator;
import java.util.Map;

/** The delta between desired and reported, as AWS computes it. Pure functions. */
final class StateDiff {
    private StateDiff() {}

    /**
     * Desired leaves that differ from reported, with their path to the root: objects compared
     * member by member, anything else (arrays included) as a value; keys only in reported never
     * appear.
     */
    static ObjectNode delta(ObjectNode desired, ObjectNode reported) {
        ObjectNode out = ShadowJson.JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = desired.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode r = reported.get(e.getKey());
            if (e.getValue() instanceof ObjectNode d && r instanceof ObjectNode ro) {
                ObjectNode sub = delta(d, ro);
                if (!sub.isEmpty()) {
                    out.set(e.getKey(), sub);
                }
            } else if (!e.getValue().equals(r)) {
                out.set(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** The part of {@code doc} whose paths the {@code filter} sets (null members of the filter select nothing). */
    static ObjectNode within(ObjectNode doc, ObjectNode filter) {
        ObjectNode out = ShadowJson.JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode f = filter.get(e.getKey());
            if (f == null || f.isNull()) {
                continue;
            }
            if (f instanceof ObjectNode fo && e.getValue() instanceof ObjectNode v) {
                ObjectNode sub = within(v, fo);
                if (!sub.isEmpty()) {
                    out.set(e.getKey(), sub);
                }
            } else {
                out.set(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** The metadata entries of the leaves of {@code state}, taken from {@code metadata} (same shape). */
    static ObjectNode metadataOf(ObjectNode state, ObjectNode metadata) {
        ObjectNode out = ShadowJson.JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = state.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode m = metadata.get(e.getKey());
            if (m == null) {
                continue;
            }
            if (e.getValue() instanceof ObjectNode v && m instanceof ObjectNode mo && !mo.has("timestamp")) {
                out.set(e.getKey(), metadataOf(v, mo));
            } else {
                out.set(e.getKey(), m);
            }
        }
        return out;
    }
}
