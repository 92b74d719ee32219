package dev.imprint.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import org.junit.jupiter.api.Test;

/** The one table from our reason codes to MQTT 5's, and the fallbacks where a packet may not carry a code. */
class Mqtt5ReasonsTest {

    static int connack(String reason, MqttConnectReturnCode v311) {
        return Mqtt5Reasons.connack(reason, v311).byteValue() & 0xFF;
    }

    @Test
    void connect_refusals() {
        assertThat(connack("REVOKED", MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED)).isEqualTo(0x87);
        assertThat(connack("UNKNOWN_ISSUER", MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED)).isEqualTo(0x87);
        assertThat(connack("NOT_REGISTERED", MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED)).isEqualTo(0x87);
        assertThat(connack("IDENTITY_MISMATCH", MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED)).isEqualTo(0x85);
        assertThat(connack("CLIENT_ID_REJECTED", MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED)).isEqualTo(0x85);
        assertThat(connack("USERNAME_MISMATCH", MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD)).isEqualTo(0x86);
        assertThat(connack("UNSUPPORTED_PROTOCOL_VERSION", MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION)).isEqualTo(0x84);
        assertThat(connack("DEVICE_DISABLED", MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED)).isEqualTo(0x8A);
        assertThat(connack("RATE_LIMITED", MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE)).isEqualTo(0x9F);
        assertThat(connack("STORE_UNAVAILABLE", MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE)).isEqualTo(0x83);
        assertThat(connack("MESSAGE_TOO_LARGE", MqttConnectReturnCode.CONNECTION_REFUSED_UNSPECIFIED_ERROR)).isEqualTo(0x95);
        assertThat(connack("BAD_AUTHENTICATION_METHOD", MqttConnectReturnCode.CONNECTION_REFUSED_BAD_AUTHENTICATION_METHOD)).isEqualTo(0x8C);
    }

    @Test
    void a_code_a_connack_may_not_carry_falls_back_to_the_applications_311_code() {
        // 0x8E exists only in DISCONNECT: a connect that lost the race to a newer one is "server unavailable"
        assertThat(connack("SESSION_TAKEN", MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE)).isEqualTo(0x88);
        assertThat(connack("CONNECT_TIMEOUT", MqttConnectReturnCode.CONNECTION_REFUSED_UNSPECIFIED_ERROR)).isEqualTo(0x80);
    }

    @Test
    void publish_refusals_and_those_no_puback_may_carry() {
        assertThat(Mqtt5Reasons.puback("FOREIGN_TOPIC")).isEqualTo((byte) 0x87);
        assertThat(Mqtt5Reasons.puback("TOPIC_NOT_ALLOWED")).isEqualTo((byte) 0x87);
        assertThat(Mqtt5Reasons.puback("STORE_BEHIND")).isEqualTo((byte) 0x97);
        assertThat(Mqtt5Reasons.puback("STORE_UNAVAILABLE")).isEqualTo((byte) 0x83);
        assertThat(Mqtt5Reasons.puback("INTERNAL_ERROR")).isEqualTo((byte) 0x83);
        // these end the connection instead (DISCONNECT carries them)
        assertThat(Mqtt5Reasons.puback("SERVER_STOPPING")).isZero();
        assertThat(Mqtt5Reasons.puback("MESSAGE_TOO_LARGE")).isZero();
    }

    @Test
    void server_disconnects() {
        assertThat(Mqtt5Reasons.disconnect("SESSION_TAKEN")).isEqualTo(MqttReasonCodes.Disconnect.SESSION_TAKEN_OVER.byteValue());
        assertThat(Mqtt5Reasons.disconnect("REVOKED")).isEqualTo(MqttReasonCodes.Disconnect.NOT_AUTHORIZED.byteValue());
        assertThat(Mqtt5Reasons.disconnect("CERTIFICATE_EXPIRED")).isEqualTo(MqttReasonCodes.Disconnect.NOT_AUTHORIZED.byteValue());
        assertThat(Mqtt5Reasons.disconnect("KEEP_ALIVE_TIMEOUT")).isEqualTo(MqttReasonCodes.Disconnect.KEEP_ALIVE_TIMEOUT.byteValue());
        assertThat(Mqtt5Reasons.disconnect("SERVER_STOPPING")).isEqualTo(MqttReasonCodes.Disconnect.SERVER_SHUTTING_DOWN.byteValue());
        assertThat(Mqtt5Reasons.disconnect("MESSAGE_TOO_LARGE")).isEqualTo(MqttReasonCodes.Disconnect.PACKET_TOO_LARGE.byteValue());
        assertThat(Mqtt5Reasons.disconnect("SLOW_CONSUMER")).isEqualTo(MqttReasonCodes.Disconnect.QUOTA_EXCEEDED.byteValue());
        assertThat(Mqtt5Reasons.disconnect("TOPIC_ALIAS_INVALID")).isEqualTo(MqttReasonCodes.Disconnect.TOPIC_ALIAS_INVALID.byteValue());
        assertThat(Mqtt5Reasons.disconnect("NODE_LEASE_LOST")).isEqualTo(MqttReasonCodes.Disconnect.USE_ANOTHER_SERVER.byteValue());
        // banned (CONNACK only) is, for a live session, an administrative action
        assertThat(Mqtt5Reasons.disconnect("DEVICE_DISABLED")).isEqualTo(MqttReasonCodes.Disconnect.ADMINISTRATIVE_ACTION.byteValue());
        // a CONNACK-only code never reaches a DISCONNECT
        assertThat(Mqtt5Reasons.disconnect("USERNAME_MISMATCH")).isEqualTo(Mqtt5Reasons.UNSPECIFIED);
    }

    @Test
    void every_code_in_the_table_is_a_real_mqtt5_code_valid_somewhere() {
        Mqtt5Reasons.TABLE.forEach((reason, code) -> {
            boolean connack = Mqtt5Reasons.connack(reason, MqttConnectReturnCode.CONNECTION_REFUSED_UNSPECIFIED_ERROR).byteValue() == code;
            boolean disconnect = Mqtt5Reasons.disconnect(reason) == code;
            assertThat(connack || disconnect || Mqtt5Reasons.suback(reason) == code).as(reason).isTrue();
            assertThat(code & 0xFF).as(reason).isGreaterThanOrEqualTo(0x80);
        });
    }
}
