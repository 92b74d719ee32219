package dev.imprint.hub;

import dev.imprint.mqtt.ConnectOutcome;
import dev.imprint.mqtt.MqttConnection;
import dev.imprint.pki.validation.Verdict;
import dev.imprint.shadow.Shadows;
import dev.imprint.store.DeviceRecord;
import java.time.Instant;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * The AWS IoT Core dialect. Like AWS's one endpoint it serves every registered device, whichever
 * hub DPS assigned it to (disabled devices and enrollments are still refused). The CONNECT's
 * username is the SDK's metrics string ({@code ?SDK=JavaV2&Version=...}), never a credential:
 * ignored. The client ID must be the thing name, which is the certificate's identity.
 */
final class AwsDialect implements HubDialect {
    private final Shadows shadows;

    AwsDialect(Shadows shadows) {
        this.shadows = Objects.requireNonNull(shadows, "shadows");
    }

    @Override
    public ConnectOutcome refuseConnect(Verdict verdict, String clientId, String username) {
        return DeviceAccess.refuseConnect(verdict, clientId, null);
    }

    @Override
    public String registryRefusal(DeviceRecord d, String hubName, BooleanSupplier enrollmentEnabled) {
        return DeviceAccess.registryRefusal(d, d.hub(), enrollmentEnabled);
    }

    @Override
    public DeviceSession session(Hub hub, String deviceId, String serial, String enrollment, Instant notAfter, MqttConnection conn) {
        return new AwsSession(hub, deviceId, serial, enrollment, notAfter, conn, shadows);
    }
}
