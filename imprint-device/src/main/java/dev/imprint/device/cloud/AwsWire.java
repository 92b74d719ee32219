package dev.imprint.device.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The AWS IoT Core device protocol as our SDK speaks it, as pure functions: topics, request
 * bodies, answers and rejections (fleet provisioning's {@code statusCode/errorCode/errorMessage},
 * the shadow's {@code code/message}), and the shadow seen as Azure's twin (one device document,
 * both dialects). No I/O.
 */
final class AwsWire {
    static final String FROM_CSR = "$aws/certificates/create-from-csr/json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private AwsWire() {}

    /** An answer on {@code <request>/accepted|rejected}: its request topic, clientToken ("" when none) and body. */
    record Answer(String request, String token, boolean accepted, JsonNode body) {}

    static String shadow(String thing) {
        return "$aws/things/" + thing + "/shadow";
    }

    /** Telemetry goes under the documented default policy's {@code dt/<thing>/}. */
    static String telemetryTopic(String thing) {
        return "dt/" + thing + "/telemetry";
    }

    static String registerThing(String template) {
        return "$aws/provisioning-templates/" + template + "/provision/json";
    }

    /** What a provisioning connection subscribes to: the answers of create-from-csr and of RegisterThing (exact filters, as the SDK's V2 client). */
    static List<String> provisioningFilters(String template) {
        return List.of(FROM_CSR + "/accepted", FROM_CSR + "/rejected", registerThing(template) + "/accepted",
                registerThing(template) + "/rejected");
    }

    /** What a data session subscribes to: its classic shadow's answers and delta, and create-from-csr's answers (rotation). */
    static List<String> sessionFilters(String thing) {
        String s = shadow(thing);
        return List.of(s + "/get/+", s + "/update/accepted", s + "/update/rejected", s + "/update/delta", FROM_CSR + "/accepted",
                FROM_CSR + "/rejected");
    }

    static byte[] fromCsr(String csrPem) {
        return bytes(JSON.createObjectNode().put("certificateSigningRequest", csrPem));
    }

    static byte[] registerThingBody(String template, String ownershipToken, Map<String, String> parameters) {
        ObjectNode o = JSON.createObjectNode().put("templateName", template).put("certificateOwnershipToken", ownershipToken);
        ObjectNode p = o.putObject("parameters");
        parameters.forEach(p::put);
        return bytes(o);
    }

    static byte[] shadowUpdate(String reportedPatch, String token) {
        try {
            ObjectNode o = JSON.createObjectNode();
            o.putObject("state").set("reported", JSON.readTree(reportedPatch));
            return bytes(o.put("clientToken", token));
        } catch (IOException e) {
            throw CloudException.refused("INVALID_JSON", "the reported state is not JSON: " + e.getMessage());
        }
    }

    static byte[] tokenOnly(String token) {
        return bytes(JSON.createObjectNode().put("clientToken", token));
    }

    /** The answer a publish on {@code topic} carries, or null when it is none. */
    static Answer answer(String topic, byte[] body) {
        boolean accepted = topic.endsWith("/accepted");
        if (!accepted && !topic.endsWith("/rejected")) {
            return null;
        }
        JsonNode n = parse(body);
        String request = topic.substring(0, topic.lastIndexOf('/'));
        return new Answer(request, n.path("clientToken").asText(""), accepted, n);
    }

    /**
     * A rejection as a CloudException: fleet provisioning's {@code errorCode} (the server's reason,
     * permanent unless 429 or 5xx), the shadow's {@code code} as SHADOW_STATUS_{code} (transient:
     * the request may be made again).
     */
    static CloudException rejection(JsonNode n) {
        if (n.hasNonNull("errorCode")) {
            int status = n.path("statusCode").asInt(400);
            String msg = n.path("errorMessage").asText("");
            return status == 429 || status >= 500 ? CloudException.transientFailure(n.get("errorCode").asText(), msg)
                    : CloudException.refused(n.get("errorCode").asText(), msg);
        }
        return CloudException.transientFailure("SHADOW_STATUS_" + n.path("code").asInt(-1), n.path("message").asText(""));
    }

    /**
     * A shadow's get/accepted document as Azure's twin: desired and reported, each with the
     * shadow's version as {@code $version} (one counter for the whole document, as AWS has it); a
     * section the shadow lacks has none, so a device that never had desired state is not handed one.
     */
    static byte[] twinOfShadow(JsonNode shadow) {
        long version = shadow.path("version").asLong(-1);
        ObjectNode twin = JSON.createObjectNode();
        for (String section : List.of("desired", "reported")) {
            JsonNode s = shadow.path("state").path(section);
            twin.set(section, s.isObject() ? ((ObjectNode) s).deepCopy().put("$version", version) : JSON.createObjectNode());
        }
        return bytes(twin);
    }

    /** A delta's state as a desired patch with the version as {@code $version}; an unreadable delta is an empty patch (version -1). */
    static byte[] patchOfDelta(byte[] delta) {
        JsonNode n = parse(delta);
        ObjectNode patch = n.path("state").isObject() ? ((ObjectNode) n.get("state")).deepCopy() : JSON.createObjectNode();
        return bytes(patch.put("$version", n.path("version").asLong(-1)));
    }

    /** URL-encoded application properties ({@code k=v&k2=v2}) as MQTT 5 user properties: they reach the telemetry as Azure's do. */
    static MqttProperties userProperties(String encoded) {
        if (encoded == null || encoded.isEmpty()) {
            return MqttProperties.NO_PROPERTIES;
        }
        MqttProperties.UserProperties up = new MqttProperties.UserProperties();
        for (String kv : encoded.split("&")) {
            int eq = kv.indexOf('=');
            up.add(decode(eq < 0 ? kv : kv.substring(0, eq)), eq < 0 ? "" : decode(kv.substring(eq + 1)));
        }
        MqttProperties p = new MqttProperties();
        p.add(up);
        return p;
    }

    /** The MQTT 5 reason string (the server's reason code, as Imprint sends it), or null. */
    static String reasonString(MqttProperties p) {
        MqttProperties.MqttProperty<?> r = p == null ? null : p.getProperty(MqttProperties.REASON_STRING);
        return r == null || r.value() == null || r.value().toString().isBlank() ? null : r.value().toString();
    }

    /** A refused CONNACK (3.1.1 or 5) in the SDK's codes, the same for either version. */
    static String connackCode(MqttConnectReturnCode rc) {
        return switch (rc) {
            case CONNECTION_REFUSED_NOT_AUTHORIZED, CONNECTION_REFUSED_NOT_AUTHORIZED_5, CONNECTION_REFUSED_BANNED -> "CONNACK_NOT_AUTHORIZED";
            case CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD, CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD -> "CONNACK_BAD_CREDENTIALS";
            case CONNECTION_REFUSED_IDENTIFIER_REJECTED, CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID -> "CONNACK_IDENTIFIER_REJECTED";
            case CONNECTION_REFUSED_SERVER_UNAVAILABLE, CONNECTION_REFUSED_SERVER_UNAVAILABLE_5, CONNECTION_REFUSED_SERVER_BUSY,
                    CONNECTION_REFUSED_CONNECTION_RATE_EXCEEDED, CONNECTION_REFUSED_QUOTA_EXCEEDED -> "CONNACK_SERVER_UNAVAILABLE";
            default -> "CONNACK_" + rc.name();
        };
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode n = body.length == 0 ? null : JSON.readTree(body);
            return n != null && n.isObject() ? n : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static byte[] bytes(JsonNode n) {
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }
}
