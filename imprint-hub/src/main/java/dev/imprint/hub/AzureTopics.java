package dev.imprint.hub;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Azure IoT Hub MQTT topic dialect (checked against iot-device-client 2.5.0), for one
 * device. Plain MQTT clients use the same topics. Pure functions; no I/O.
 */
final class AzureTopics {
    static final String TWIN_RES_FILTER = "$iothub/twin/res/#";
    static final String TWIN_DESIRED_FILTER = "$iothub/twin/PATCH/properties/desired/#";
    static final String METHODS_FILTER = "$iothub/methods/POST/#";
    static final String TWIN_GET = "$iothub/twin/GET/";
    static final String TWIN_PATCH_REPORTED = "$iothub/twin/PATCH/properties/reported/";
    static final String METHOD_RES = "$iothub/methods/res/";

    private static final String DEVICES = "devices/";
    private static final String EVENTS = "/messages/events/";
    private static final String DEVICEBOUND = "/messages/devicebound/";

    /** The device's own prefixes are matched in place, not kept: every idle session holds one of these. */
    private final String deviceId;

    AzureTopics(String deviceId) {
        this.deviceId = deviceId;
    }

    /** Telemetry: {@code devices/{id}/messages/events/{url-encoded properties}} (the trailing part optional). */
    boolean isTelemetry(String topic) {
        return own(topic, EVENTS) || topic.length() == prefixEnd(EVENTS) - 1 && own(topic + "/", EVENTS);
    }

    /** The properties after the events prefix, decoded. */
    Map<String, String> telemetryProperties(String topic) {
        int end = prefixEnd(EVENTS);
        return topic.length() <= end ? Map.of() : decodeProperties(topic.substring(end));
    }

    /** The device's own filters: cloud-to-device, twin responses, desired pushes, method requests. */
    Kind filterKind(String filter) {
        if (own(filter, DEVICEBOUND) && (filter.length() == prefixEnd(DEVICEBOUND) + 1 && filter.endsWith("#") || !filter.contains("+"))) {
            return Kind.C2D;
        }
        return switch (filter) {
            case TWIN_RES_FILTER -> Kind.TWIN_RES;
            case TWIN_DESIRED_FILTER -> Kind.TWIN_DESIRED;
            case METHODS_FILTER -> Kind.METHODS;
            default -> Kind.FOREIGN;
        };
    }

    enum Kind { C2D, TWIN_RES, TWIN_DESIRED, METHODS, FOREIGN }

    String devicebound(Map<String, String> properties) {
        return DEVICES + deviceId + DEVICEBOUND + encodeProperties(properties);
    }

    /** Whether {@code topic} starts with {@code devices/{id}{suffix}}. */
    private boolean own(String topic, String suffix) {
        return topic.startsWith(DEVICES) && topic.startsWith(deviceId, DEVICES.length())
                && topic.startsWith(suffix, DEVICES.length() + deviceId.length());
    }

    /** The length of {@code devices/{id}{suffix}}. */
    private int prefixEnd(String suffix) {
        return DEVICES.length() + deviceId.length() + suffix.length();
    }

    static String twinResponse(int status, String rid, Long version) {
        return "$iothub/twin/res/" + status + "/?$rid=" + rid + (version == null ? "" : "&$version=" + version);
    }

    static String desiredPush(long version) {
        return "$iothub/twin/PATCH/properties/desired/?$version=" + version;
    }

    static String methodRequest(String name, String rid) {
        return "$iothub/methods/POST/" + name + "/?$rid=" + rid;
    }

    /** {@code ...?$rid=X&...} -> X; null when absent. */
    static String rid(String topic) {
        return query(topic).get("$rid");
    }

    /** The 3-digit status of {@code $iothub/methods/res/{status}/?$rid=...}; -1 when not a number. */
    static int methodStatus(String topic) {
        String rest = topic.substring(METHOD_RES.length());
        int slash = rest.indexOf('/');
        try {
            return Integer.parseInt(slash < 0 ? rest : rest.substring(0, slash));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static Map<String, String> query(String topic) {
        int q = topic.indexOf('?');
        return q < 0 ? Map.of() : decodeProperties(topic.substring(q + 1));
    }

    /** {@code a=1&%24.mid=x} -> map; malformed pairs are kept with an empty value. */
    static Map<String, String> decodeProperties(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : s.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(decode(k), decode(v));
        }
        return out;
    }

    static String encodeProperties(Map<String, String> properties) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : properties.entrySet()) {
            if (b.length() > 0) {
                b.append('&');
            }
            b.append(encode(e.getKey())).append('=').append(encode(e.getValue()));
        }
        return b.toString();
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    String deviceId() {
        return deviceId;
    }
}
