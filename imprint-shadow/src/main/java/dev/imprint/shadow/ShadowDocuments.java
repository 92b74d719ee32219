package dev.imprint.shadow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.store.ShadowJson;
import dev.imprint.store.ShadowRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.IntSupplier;

/**
 * What AWS's shadow service does with a document: the next document for an update or a delete,
 * and the JSON it answers and publishes, in AWS's shapes. Pure functions; times in epoch seconds.
 */
final class ShadowDocuments {
    private ShadowDocuments() {}

    /**
     * The document after {@code req}, or a refusal: version conflict, state too large, one named
     * shadow too many. Every accepted update is version + 1; the twin's section versions (classic)
     * move when their section is in the request.
     */
    static ShadowRecord updated(ShadowRecord cur, ShadowRequest req, ShadowLimits limits, Instant now, IntSupplier namedShadows) {
        if (req.version() != null && req.version() != cur.version()) {
            throw new ShadowException(ShadowError.VERSION_CONFLICT, req.clientToken());
        }
        if (!cur.exists() && !cur.classic() && namedShadows.getAsInt() >= limits.maxNamedShadows()) {
            throw new ShadowException(ShadowError.SHADOW_LIMIT, ShadowError.SHADOW_LIMIT.message(limits.maxNamedShadows()), req.clientToken());
        }
        ObjectNode metadata = ShadowJson.object(cur.metadata());
        String desired = section(cur.desired(), req.desired(), metadata, "desired", limits, now, req.clientToken());
        String reported = section(cur.reported(), req.reported(), metadata, "reported", limits, now, req.clientToken());
        long dv = cur.desiredVersion() + (cur.classic() && changes(req.desired()) ? 1 : 0);
        long rv = cur.reportedVersion() + (cur.classic() && changes(req.reported()) ? 1 : 0);
        return new ShadowRecord(cur.deviceId(), cur.name(), desired, reported, metadata.toString(), cur.version() + 1, true, now, dv, rv);
    }

    /** Whether a request's section changes it: null deletes it, {} (the SDK's companion of a null elsewhere) is a no-op. */
    static boolean changes(JsonNode section) {
        return section != null && (section.isNull() || !section.isEmpty());
    }

    private static String section(String stored, JsonNode change, ObjectNode metadata, String name, ShadowLimits limits, Instant now,
            String token) {
        if (change == null) {
            return stored;
        }
        if (change instanceof NullNode) {
            metadata.remove(name);
            return "{}";
        }
        ObjectNode s = ShadowJson.object(stored);
        ShadowJson.merge(s, (ObjectNode) change);
        String json = s.toString();
        if (json.getBytes(StandardCharsets.UTF_8).length > limits.maxStateBytes()) {
            throw new ShadowException(ShadowError.STATE_TOO_LARGE, token);
        }
        ShadowJson.stamp(ShadowJson.section(metadata, name), (ObjectNode) change, now.getEpochSecond());
        return json;
    }

    /** A deleted document: no state, no metadata, the version kept; the twin's versions move for the sections it had. */
    static ShadowRecord deleted(ShadowRecord cur, Instant now) {
        long dv = cur.desiredVersion() + (cur.classic() && !"{}".equals(cur.desired()) ? 1 : 0);
        long rv = cur.reportedVersion() + (cur.classic() && !"{}".equals(cur.reported()) ? 1 : 0);
        return new ShadowRecord(cur.deviceId(), cur.name(), "{}", "{}", "{}", cur.version(), false, now, dv, rv);
    }

    /** update/accepted: the request's state as sent, the metadata of its leaves, version, timestamp, clientToken. */
    static ObjectNode accepted(ShadowRequest req, ShadowRecord next, long ts) {
        ObjectNode o = ShadowJson.JSON.createObjectNode();
        o.set("state", req.state());
        ObjectNode meta = o.putObject("metadata");
        req.state().fields().forEachRemaining(e -> meta.set(e.getKey(), e.getValue() instanceof ObjectNode s
                ? stampedWithNulls(s, ts) : ShadowJson.JSON.createObjectNode().put("timestamp", ts)));
        return envelope(o, next.version(), ts, req.clientToken());
    }

    private static ObjectNode stampedWithNulls(ObjectNode s, long ts) {
        ObjectNode m = ShadowJson.JSON.createObjectNode();
        s.fields().forEachRemaining(e -> {
            if (e.getValue() instanceof ObjectNode child) {
                m.set(e.getKey(), stampedWithNulls(child, ts));
            } else if (e.getValue().isNull()) {
                m.putObject(e.getKey()).put("timestamp", ts);
            } else {
                ObjectNode one = ShadowJson.JSON.createObjectNode();
                ShadowJson.stamp(one, ShadowJson.JSON.createObjectNode().set(e.getKey(), e.getValue()), ts);
                m.set(e.getKey(), one.get(e.getKey()));
            }
        });
        return m;
    }

    /**
     * update/delta for an accepted update: the desired leaves the request set that now differ
     * from reported, with their metadata; null when there is none (no message).
     */
    static ObjectNode delta(ShadowRequest req, ShadowRecord next, long ts) {
        if (!(req.desired() instanceof ObjectNode asked)) {
            return null;
        }
        ObjectNode d = StateDiff.within(StateDiff.delta(ShadowJson.object(next.desired()), ShadowJson.object(next.reported())), asked);
        if (d.isEmpty()) {
            return null;
        }
        ObjectNode o = ShadowJson.JSON.createObjectNode();
        o.set("state", d);
        o.set("metadata", StateDiff.metadataOf(d, ShadowJson.section(ShadowJson.object(next.metadata()), "desired")));
        return envelope(o, next.version(), ts, req.clientToken());
    }

    /** update/documents: previous (absent for a new shadow) and current, each with state, metadata and version. */
    static ObjectNode documents(ShadowRecord prev, ShadowRecord next, long ts, String token) {
        ObjectNode o = ShadowJson.JSON.createObjectNode();
        if (prev.exists()) {
            o.set("previous", snapshot(prev));
        }
        o.set("current", snapshot(next));
        o.put("timestamp", ts);
        if (token != null) {
            o.put("clientToken", token);
        }
        return o;
    }

    private static ObjectNode snapshot(ShadowRecord s) {
        ObjectNode o = ShadowJson.JSON.createObjectNode();
        ObjectNode state = o.putObject("state");
        state.set("desired", ShadowJson.object(s.desired()));
        state.set("reported", ShadowJson.object(s.reported()));
        o.set("metadata", ShadowJson.object(s.metadata()));
        o.put("version", s.version());
        return o;
    }

    /** get/accepted: desired, reported and the whole delta (each only when not empty), their metadata, version, timestamp. */
    static ObjectNode get(ShadowRecord s, long ts, String token) {
        ObjectNode o = ShadowJson.JSON.createObjectNode();
        ObjectNode state = o.putObject("state");
        ObjectNode desired = ShadowJson.object(s.desired());
        ObjectNode reported = ShadowJson.object(s.reported());
        ObjectNode delta = StateDiff.delta(desired, reported);
        putIfAny(state, "desired", desired);
        putIfAny(state, "reported", reported);
        putIfAny(state, "delta", delta);
        ObjectNode metadata = ShadowJson.object(s.metadata());
        ObjectNode meta = o.putObject("metadata");
        putIfAny(meta, "desired", ShadowJson.section(metadata, "desired"));
        putIfAny(meta, "reported", ShadowJson.section(metadata, "reported"));
        return envelope(o, s.version(), ts, token);
    }

    /** delete/accepted. */
    static ObjectNode deleteAccepted(ShadowRecord s, long ts, String token) {
        return envelope(ShadowJson.JSON.createObjectNode(), s.version(), ts, token);
    }

    /** A rejection: {@code code}, {@code message}, {@code timestamp}, and {@code clientToken} when the request had one. */
    static ObjectNode rejected(ShadowException e, long ts) {
        ObjectNode o = ShadowJson.JSON.createObjectNode();
        o.put("code", e.error().code());
        o.put("message", e.getMessage());
        o.put("timestamp", ts);
        if (e.clientToken() != null) {
            o.put("clientToken", e.clientToken());
        }
        return o;
    }

    private static ObjectNode envelope(ObjectNode o, long version, long ts, String token) {
        o.put("version", version);
        o.put("timestamp", ts);
        if (token != null) {
            o.put("clientToken", token);
        }
        return o;
    }

    private static void putIfAny(ObjectNode parent, String name, ObjectNode child) {
        if (!child.isEmpty()) {
            parent.set(name, child);
        }
    }
}
