package dev.imprint.hub;

import dev.imprint.mqtt.ConnectOutcome;
import dev.imprint.mqtt.MqttConnection;
import dev.imprint.pki.validation.Verdict;
import dev.imprint.shadow.Shadows;
import dev.imprint.store.DeviceRecord;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * The device protocol a hub's listener speaks, one for all its sessions: who may connect (the
 * CONNECT's names, the registry record) and the session that serves the topics. The transport,
 * the five validation steps, the session directory and live revocation are the hub's, whatever
 * the dialect.
 */
public interface HubDialect {
    /** Azure IoT Hub: devices assigned to this hub, the SDK's username checked, {@link AzureTopics}. */
    static HubDialect azure() {
        return AzureDialect.INSTANCE;
    }

    /** AWS IoT Core: one endpoint for every device, client ID = thing name, {@link AwsTopics}, shadows over MQTT. */
    static HubDialect aws(Shadows shadows) {
        return new AwsDialect(shadows);
    }

    /** The refusal of a CONNECT by what it carries, or null when the registry decides next. */
    ConnectOutcome refuseConnect(Verdict verdict, String clientId, String username);

    /** Why a registered device may not be on hub {@code hubName} now; null when it may. */
    String registryRefusal(DeviceRecord d, String hubName, BooleanSupplier enrollmentEnabled);

    /** The session of an admitted device. */
    DeviceSession session(Hub hub, String deviceId, String serial, String enrollment, Instant notAfter, MqttConnection conn);
}
