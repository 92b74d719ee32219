package dev.imprint.mqtt;

import io.netty.handler.codec.mqtt.MqttProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What an MQTT 5 PUBLISH carries beside topic and payload, for the application (a 3.1.1
 * PUBLISH has none of it: {@link #NONE}).
 *
 * @param userProperties the User Property pairs in the order sent (names may repeat)
 * @param contentType the Content Type property, null when absent
 * @param utf8 the Payload Format Indicator: true for UTF-8 character data, false for bytes,
 *     null when absent
 */
public record PublishProperties(List<UserProperty> userProperties, String contentType, Boolean utf8) {
    public static final PublishProperties NONE = new PublishProperties(List.of(), null, null);

    public PublishProperties {
        userProperties = List.copyOf(Objects.requireNonNull(userProperties, "userProperties"));
    }

    static PublishProperties from(MqttProperties p) {
        List<UserProperty> user = new ArrayList<>();
        for (MqttProperties.MqttProperty<?> u : p.getProperties(MqttProperties.USER_PROPERTY)) {
            if (u instanceof MqttProperties.UserProperties list) {
                list.value().forEach(pair -> user.add(new UserProperty(pair.key, pair.value)));
            } else if (u instanceof MqttProperties.UserProperty one) {
                user.add(new UserProperty(one.value().key, one.value().value));
            }
        }
        String contentType = p.getProperty(MqttProperties.CONTENT_TYPE) instanceof MqttProperties.StringProperty s ? s.value() : null;
        Boolean utf8 = p.getProperty(MqttProperties.PAYLOAD_FORMAT_INDICATOR) instanceof MqttProperties.IntegerProperty i ? i.value() == 1 : null;
        return user.isEmpty() && contentType == null && utf8 == null ? NONE : new PublishProperties(user, contentType, utf8);
    }

    /** One User Property pair. */
    public record UserProperty(String name, String value) {}
}
