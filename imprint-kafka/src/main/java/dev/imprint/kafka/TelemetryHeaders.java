package dev.imprint.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A telemetry record's headers, made of parts that repeat instead of anew per message: the hub's
 * and node's headers once, the enqueued time once per millisecond, and a properties JSON seen
 * before from a cache. A message without properties (the common case) gets the headers of its
 * millisecond as they are: the producer copies what it is given ({@code ProducerRecord} wraps
 * it in a {@code RecordHeaders} of its own), so sharing one instance is safe as long as nobody
 * adds to it, which nobody here does. Safe for concurrent use (only the pipeline's writer thread
 * calls it in the product).
 */
final class TelemetryHeaders {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryHeaders.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final Header[] NONE = new Header[0];
    /** The Azure system properties' header names. */
    private static final Map<String, String> HEADER_OF_PROPERTY = Map.of("$.mid", "message-id", "$.ct", "content-type", "$.ce", "content-encoding");
    /** The other way, for the consumers: a system property's header name to its Azure property name. */
    static final Map<String, String> PROPERTY_OF_HEADER = HEADER_OF_PROPERTY.entrySet().stream()
            .collect(java.util.stream.Collectors.toUnmodifiableMap(Map.Entry::getValue, Map.Entry::getKey));
    /** Property sets remembered; past it the cache starts again (a fleet's sets with a message ID each never repeat). */
    static final int CACHED_PROPERTY_SETS = 1024;

    private final Header hub;
    private final Header node;
    private final Map<String, Header[]> properties = new ConcurrentHashMap<>();
    /** The headers of the last millisecond a message came in; replaced whole, never changed. */
    private volatile Stamp last = new Stamp(-1, null, null);

    private record Stamp(long ms, Header time, RecordHeaders plain) {}

    TelemetryHeaders(String hub, String node) {
        this.hub = new RecordHeader("imprint-hub", hub.getBytes(StandardCharsets.UTF_8));
        this.node = new RecordHeader("imprint-node", node.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The headers of a message received at {@code ms} with {@code propertiesJson} (a JSON
     * object of strings, as the hub encodes a message's properties; {@code {}} or null when none):
     * {@code imprint-hub}, {@code imprint-node}, {@code imprint-enqueued-time}, then each property
     * under its header name (the Azure {@code $.mid}, {@code $.ct}, {@code $.ce} as {@code
     * message-id}, {@code content-type}, {@code content-encoding}). Do not add to what it returns.
     */
    Iterable<Header> of(long ms, String propertiesJson, String deviceId) {
        Stamp s = last;
        if (s.ms != ms) {
            Header time = new RecordHeader("imprint-enqueued-time", Long.toString(ms).getBytes(StandardCharsets.US_ASCII));
            s = new Stamp(ms, time, new RecordHeaders(new Header[] {hub, node, time}));
            last = s;
        }
        if (propertiesJson == null || propertiesJson.length() <= 2) {
            return s.plain;
        }
        Header[] props = properties(propertiesJson, deviceId);
        List<Header> all = new ArrayList<>(3 + props.length);
        all.add(hub);
        all.add(node);
        all.add(s.time);
        all.addAll(java.util.Arrays.asList(props));
        return all;
    }

    private Header[] properties(String json, String deviceId) {
        Header[] cached = properties.get(json);
        if (cached != null) {
            return cached;
        }
        Header[] parsed = parse(json, deviceId);
        if (properties.size() >= CACHED_PROPERTY_SETS) {
            properties.clear();
        }
        properties.put(json, parsed);
        return parsed;
    }

    /** A flat JSON object of strings, read as a stream (no tree): the hub wrote it a moment before. */
    private static Header[] parse(String json, String deviceId) {
        List<Header> out = new ArrayList<>();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                // a string's text; as JsonNode.asText had it for anything else (the hub writes strings only)
                String value = p.nextToken().isScalarValue() ? p.getText() : "";
                p.skipChildren();
                out.add(new RecordHeader(HEADER_OF_PROPERTY.getOrDefault(name, name), value.getBytes(StandardCharsets.UTF_8)));
            }
        } catch (IOException | RuntimeException e) {
            // the hub wrote this JSON itself; should it not parse, the message still goes, without its properties
            LOG.warn("event=kafka.properties_unreadable device={} msg=\"{}\"", deviceId, e.toString());
            return NONE;
        }
        return out.toArray(NONE);
    }
}
