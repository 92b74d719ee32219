package dev.imprint.mqtt;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import java.util.Map;
import java.util.Set;

/**
 * The one table from our reason codes (those of logs and {@code imprint.mqtt.disconnects}) to
 * MQTT 5 reason codes, and which of those each packet may carry (MQTT 5.0 sections 3.2.2.2,
 * 3.4.2.1, 3.14.2.1). A reason whose code a packet may not carry gets that packet's fallback;
 * the Reason String property always names our reason, so nothing is lost in the mapping.
 * A 3.1.1 client never sees any of this: it gets its CONNACK return code or a closed socket.
 */
public final class Mqtt5Reasons {
    public static final byte UNSPECIFIED = (byte) 0x80;
    public static final byte MALFORMED = (byte) 0x81;
    public static final byte PROTOCOL_ERROR = (byte) 0x82;
    public static final byte IMPLEMENTATION_SPECIFIC = (byte) 0x83;
    public static final byte NOT_AUTHORIZED = (byte) 0x87;
    static final byte BANNED = (byte) 0x8A;
    static final byte ADMINISTRATIVE_ACTION = (byte) 0x98;

    /** Our reason code -> MQTT 5 reason code. Validator reasons not named here are certificate refusals: 0x87. */
    static final Map<String, Byte> TABLE = Map.ofEntries(
            // the connection
            Map.entry("UNSUPPORTED_PROTOCOL_VERSION", (byte) 0x84),
            Map.entry("CLIENT_ID_REJECTED", (byte) 0x85),
            Map.entry("IDENTITY_MISMATCH", (byte) 0x85),
            Map.entry("USERNAME_MISMATCH", (byte) 0x86),
            Map.entry("BAD_AUTHENTICATION_METHOD", (byte) 0x8C),
            Map.entry("NOT_REGISTERED", NOT_AUTHORIZED),
            Map.entry("NOT_ASSIGNED_TO_HUB", NOT_AUTHORIZED),
            Map.entry("DEVICE_DISABLED", BANNED),
            Map.entry("ENROLLMENT_DISABLED", BANNED),
            Map.entry("REVOKED", NOT_AUTHORIZED),
            Map.entry("CERTIFICATE_EXPIRED", NOT_AUTHORIZED),
            Map.entry("RATE_LIMITED", (byte) 0x9F),
            Map.entry("REFUSED_RATE_LIMITED", (byte) 0x9F),
            Map.entry("SESSION_TAKEN", (byte) 0x8E),
            Map.entry("KEEP_ALIVE_TIMEOUT", (byte) 0x8D),
            Map.entry("SERVER_STOPPING", (byte) 0x8B),
            Map.entry("NODE_LEASE_LOST", (byte) 0x9C),
            // packets
            Map.entry("MALFORMED_PACKET", MALFORMED),
            Map.entry("MALFORMED_UTF8", MALFORMED),
            Map.entry("CONTROL_CHARACTER", MALFORMED),
            Map.entry("PROTOCOL_ERROR", PROTOCOL_ERROR),
            Map.entry("MESSAGE_TOO_LARGE", (byte) 0x95),
            Map.entry("QOS2_UNSUPPORTED", (byte) 0x9B),
            Map.entry("RETAIN_UNSUPPORTED", (byte) 0x9A),
            Map.entry("TOPIC_ALIAS_INVALID", (byte) 0x94),
            Map.entry("SUBSCRIPTION_IDENTIFIERS_UNSUPPORTED", (byte) 0xA1),
            Map.entry("SHARED_SUBSCRIPTIONS_UNSUPPORTED", (byte) 0x9E),
            // authorization and storage of what a device publishes
            Map.entry("FOREIGN_TOPIC", NOT_AUTHORIZED),
            Map.entry("TOPIC_NOT_ALLOWED", NOT_AUTHORIZED),
            Map.entry("STORE_BEHIND", (byte) 0x97),
            Map.entry("SLOW_CONSUMER", (byte) 0x97),
            Map.entry("PUBLISH_RATE_EXCEEDED", (byte) 0x97),
            Map.entry("QUOTA_EXCEEDED", (byte) 0x97),
            Map.entry("STORE_UNAVAILABLE", IMPLEMENTATION_SPECIFIC),
            Map.entry("INTERNAL_ERROR", IMPLEMENTATION_SPECIFIC));

    /**
     * Ends without a packet: the client left, never got as far as a CONNACK, sent a second
     * CONNECT (the codec has switched versions), or does not read (a DISCONNECT to a slow reader
     * would wait behind everything it has not read).
     */
    static final Set<String> SILENT = Set.of("CLIENT_DISCONNECT", "CONNECTION_LOST", "SECOND_CONNECT", "SLOW_READER", "TOO_MANY_CONNECTIONS");

    private static final Set<Byte> CONNACK = codes(0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C,
            0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F);
    private static final Set<Byte> PUBACK = codes(0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99);
    private static final Set<Byte> DISCONNECT = codes(0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x90, 0x93,
            0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2);
    private static final Set<Byte> SUBACK = codes(0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2);

    private Mqtt5Reasons() {}

    /** The MQTT 5 code of a reason; certificate refusals and unknown reasons are 0x87 (fail closed: "not authorized"). */
    public static byte code(String reason) {
        return TABLE.getOrDefault(reason, NOT_AUTHORIZED);
    }

    /**
     * For a refused CONNECT: the table's code when a CONNACK may carry it, else the 3.1.1 return
     * code the application chose, translated (a newer connection holding the session: 0x88 server unavailable).
     */
    public static MqttConnectReturnCode connack(String reason, MqttConnectReturnCode v311) {
        byte c = code(reason);
        if (TABLE.containsKey(reason) && CONNACK.contains(c)) {
            return MqttConnectReturnCode.valueOf(c);
        }
        return MqttConnectReturnCode.valueOf(switch (v311) {
            case CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION -> (byte) 0x84;
            case CONNECTION_REFUSED_IDENTIFIER_REJECTED -> (byte) 0x85;
            case CONNECTION_REFUSED_SERVER_UNAVAILABLE -> (byte) 0x88;
            case CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD -> (byte) 0x86;
            case CONNECTION_REFUSED_NOT_AUTHORIZED -> NOT_AUTHORIZED;
            default -> CONNACK.contains(v311.byteValue()) ? v311.byteValue() : UNSPECIFIED;
        });
    }

    /** For a refused QoS 1 PUBLISH: the code, or 0 when a PUBACK may not carry it (the connection ends instead). */
    public static byte puback(String reason) {
        byte c = code(reason);
        return PUBACK.contains(c) ? c : 0;
    }

    /** For a server DISCONNECT: a device banned while connected (disabled) is an administrative action, 0x98. */
    public static byte disconnect(String reason) {
        byte c = code(reason);
        if (c == BANNED) {
            return ADMINISTRATIVE_ACTION;
        }
        return DISCONNECT.contains(c) ? c : UNSPECIFIED;
    }

    /** For a refused filter in a SUBACK. */
    public static byte suback(String reason) {
        byte c = code(reason);
        return SUBACK.contains(c) ? c : UNSPECIFIED;
    }

    /** A Reason String property naming our reason code. */
    public static MqttProperties reasonString(String reason) {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.StringProperty(MqttProperties.REASON_STRING, reason));
        return p;
    }

    private static Set<Byte> codes(int... cs) {
        Byte[] b = new Byte[cs.length];
        for (int i = 0; i < cs.length; i++) {
            b[i] = (byte) cs[i];
        }
        return Set.of(b);
    }
}
