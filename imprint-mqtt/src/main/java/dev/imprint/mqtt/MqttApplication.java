package dev.imprint.mqtt;

import java.util.concurrent.CompletionStage;

/**
 * What runs on top of {@link MqttTlsServer}: the hub, or the DPS's MQTT device API. The
 * transport owns TLS, certificate validation, the MQTT state machine, keep-alive and limits;
 * the application decides who may connect and what their packets mean.
 *
 * <p>Called on the connection's event loop; return quickly and complete the stage later when
 * a decision needs I/O. An exception or a failed stage refuses the connection with
 * INTERNAL_ERROR (fail closed).
 */
@FunctionalInterface
public interface MqttApplication {

    /**
     * Decides a CONNECT whose client certificate has already been through the validator (the
     * verdict, accepted or refused, is in the request: the application picks the CONNACK code).
     */
    CompletionStage<ConnectOutcome> connect(ConnectRequest request, MqttConnection connection);
}
