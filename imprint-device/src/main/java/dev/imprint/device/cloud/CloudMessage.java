package dev.imprint.device.cloud;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A cloud-to-device message: its body and properties, decoded from the topic
 * ({@code $.mid} message ID, {@code $.to}, application properties ...).
 */
public record CloudMessage(Map<String, String> properties, byte[] body) {
    public CloudMessage {
        properties = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    /** The body as UTF-8 text. */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The hub's message ID ({@code $.mid}), or null. */
    public String messageId() {
        return properties.get("$.mid");
    }

    /** From the topic's property part ({@code %24.mid=m1&color=red}); a malformed pair is kept as a name with an empty value. */
    static CloudMessage of(String topicProperties, byte[] body) {
        Map<String, String> p = new LinkedHashMap<>();
        for (String kv : topicProperties.split("&")) {
            if (kv.isEmpty()) {
                continue;
            }
            int eq = kv.indexOf('=');
            p.put(decode(eq < 0 ? kv : kv.substring(0, eq)), eq < 0 ? "" : decode(kv.substring(eq + 1)));
        }
        return new CloudMessage(p, body);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
