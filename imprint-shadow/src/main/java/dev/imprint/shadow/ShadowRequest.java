package dev.imprint.shadow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.store.ShadowJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * A request payload as AWS reads it: get and delete take an empty payload, {@code {}} or any
 * object (unknown members ignored, {@code clientToken} echoed); update needs {@code state} with
 * {@code desired} and/or {@code reported}, each an object or null (null deletes the section).
 *
 * @param clientToken null when absent
 * @param version the expected current version, null when absent (no locking)
 * @param state the {@code state} member as sent (update only)
 * @param desired null when absent; a NullNode deletes the section
 * @param reported as {@code desired}
 */
record ShadowRequest(String clientToken, Long version, ObjectNode state, JsonNode desired, JsonNode reported) {

    /** A get or delete request. */
    static ShadowRequest plain(byte[] payload, ShadowLimits limits) {
        ObjectNode o = document(payload, limits);
        return new ShadowRequest(token(o), null, null, null, null);
    }

    /** An update request, checked against AWS's rules and the depth limit (sizes after the merge are checked later). */
    static ShadowRequest update(byte[] payload, ShadowLimits limits) {
        ObjectNode o = document(payload, limits);
        String token = token(o);
        try {
            Long version = version(o.get("version"));
            JsonNode state = o.get("state");
            if (state == null) {
                throw new ShadowException(ShadowError.MISSING_STATE, null);
            }
            if (!(state instanceof ObjectNode s)) {
                throw new ShadowException(ShadowError.STATE_NOT_OBJECT, null);
            }
            for (Iterator<String> it = s.fieldNames(); it.hasNext();) {
                String k = it.next();
                if (!k.equals("desired") && !k.equals("reported")) {
                    throw new ShadowException(ShadowError.INVALID_NODE, "State contains an invalid node: '" + k + "'", null);
                }
            }
            JsonNode desired = section(s.get("desired"), ShadowError.DESIRED_NOT_OBJECT, limits);
            JsonNode reported = section(s.get("reported"), ShadowError.REPORTED_NOT_OBJECT, limits);
            return new ShadowRequest(token, version, s, desired, reported);
        } catch (ShadowException e) {
            throw e.withToken(token);
        }
    }

    private static ObjectNode document(byte[] payload, ShadowLimits limits) {
        if (payload.length > limits.maxRequestBytes()) {
            throw new ShadowException(ShadowError.PAYLOAD_TOO_LARGE, null);
        }
        if (payload.length == 0) {
            return ShadowJson.JSON.createObjectNode();
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload));
        } catch (CharacterCodingException e) {
            throw new ShadowException(ShadowError.UNSUPPORTED_ENCODING, null);
        }
        try {
            if (ShadowJson.JSON.readTree(payload) instanceof ObjectNode o) {
                return o;
            }
        } catch (IOException e) {
            // reported below
        }
        throw new ShadowException(ShadowError.INVALID_JSON, null);
    }

    private static String token(ObjectNode o) {
        JsonNode t = o.get("clientToken");
        if (t == null || t.isNull()) {
            return null;
        }
        if (!t.isTextual() || t.asText().getBytes(StandardCharsets.UTF_8).length > ShadowLimits.MAX_CLIENT_TOKEN_BYTES) {
            throw new ShadowException(ShadowError.INVALID_CLIENT_TOKEN, null);
        }
        return t.asText();
    }

    private static Long version(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
            throw new ShadowException(ShadowError.INVALID_VERSION, null);
        }
        return v.asLong();
    }

    private static JsonNode section(JsonNode n, ShadowError notObject, ShadowLimits limits) {
        if (n == null || n.isNull()) {
            return n;
        }
        if (!n.isObject()) {
            throw new ShadowException(notObject, null);
        }
        if (depth(n) > limits.maxDepth()) {
            throw new ShadowException(ShadowError.TOO_DEEP, ShadowError.TOO_DEEP.message(limits.maxDepth()), null);
        }
        check(n);
        return n;
    }

    /** Objects and arrays count one level each: {@code {"a":1}} is 1, {@code {"a":[1]}} is 2. */
    static int depth(JsonNode n) {
        int max = 0;
        for (JsonNode child : n) {
            max = Math.max(max, depth(child));
        }
        return n.isContainerNode() ? 1 + max : 0;
    }

    /** Arrays may not hold null (AWS); keys starting with '$' are the twin's ($version, $metadata). */
    private static void check(JsonNode n) {
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().startsWith("$")) {
                    throw new ShadowException(ShadowError.INVALID_NODE, "State contains an invalid node: '" + e.getKey() + "'", null);
                }
                check(e.getValue());
            }
        } else if (n.isArray()) {
            for (JsonNode x : n) {
                if (x.isNull()) {
                    throw new ShadowException(ShadowError.INVALID_NODE, "State contains an invalid node: null in an array", null);
                }
                check(x);
            }
        }
    }
}
