package dev.imprint.hub;

import dev.imprint.mqtt.PublishProperties;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A telemetry message's properties from both places a device may put them: MQTT 5 User
 * Properties, Content Type and Payload Format Indicator, and the Azure dialect's properties in
 * the topic. Precedence, lowest first: Payload Format Indicator ({@code $.ce=utf-8}) and
 * Content Type ({@code $.ct}, as the Azure SDK names them), then User Properties (a repeated
 * name: the last wins), then the topic's, which the Azure dialect defines and which win.
 */
final class TelemetryProperties {
    static final String CONTENT_TYPE = "$.ct";
    static final String CONTENT_ENCODING = "$.ce";

    private TelemetryProperties() {}

    static Map<String, String> merge(Map<String, String> fromTopic, PublishProperties mqtt5) {
        if (mqtt5 == PublishProperties.NONE) {
            return fromTopic;
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (Boolean.TRUE.equals(mqtt5.utf8())) {
            out.put(CONTENT_ENCODING, "utf-8");
        }
        if (mqtt5.contentType() != null) {
            out.put(CONTENT_TYPE, mqtt5.contentType());
        }
        mqtt5.userProperties().forEach(p -> out.put(p.name(), p.value()));
        out.putAll(fromTopic);
        return out;
    }
}
