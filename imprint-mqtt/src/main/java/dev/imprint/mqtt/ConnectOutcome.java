package dev.imprint.mqtt;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import java.util.Objects;

/** The application's answer to a CONNECT: a session, or a refusal with its CONNACK code and reason code. */
public sealed interface ConnectOutcome {

    static ConnectOutcome accept(MqttSession session) {
        return new Accepted(session);
    }

    /**
     * @param code the CONNACK return code sent before closing
     * @param reason a stable reason code for logs and metrics (a validator {@code ReasonCode} name,
     *     or the application's own such as {@code NOT_ASSIGNED_TO_HUB})
     */
    static ConnectOutcome refuse(MqttConnectReturnCode code, String reason, String detail) {
        return new Refused(code, reason, detail);
    }

    record Accepted(MqttSession session) implements ConnectOutcome {
        public Accepted {
            Objects.requireNonNull(session, "session");
        }
    }

    record Refused(MqttConnectReturnCode code, String reason, String detail) implements ConnectOutcome {
        public Refused {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
