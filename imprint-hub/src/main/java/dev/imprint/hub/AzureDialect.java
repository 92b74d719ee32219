package dev.imprint.hub;

import dev.imprint.mqtt.ConnectOutcome;
import dev.imprint.mqtt.MqttConnection;
import dev.imprint.pki.validation.Verdict;
import dev.imprint.store.DeviceRecord;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;

/** The Azure IoT Hub dialect: {@link DeviceAccess}'s rules and {@link DeviceSession}. */
final class AzureDialect implements HubDialect {
    static final AzureDialect INSTANCE = new AzureDialect();

    private AzureDialect() {}

    @Override
    public ConnectOutcome refuseConnect(Verdict verdict, String clientId, String username) {
        return DeviceAccess.refuseConnect(verdict, clientId, username);
    }

    @Override
    public String registryRefusal(DeviceRecord d, String hubName, BooleanSupplier enrollmentEnabled) {
        return DeviceAccess.registryRefusal(d, hubName, enrollmentEnabled);
    }

    @Override
    public DeviceSession session(Hub hub, String deviceId, String serial, String enrollment, Instant notAfter, MqttConnection conn,
            List<X509Certificate> path) {
        return new DeviceSession(hub, deviceId, serial, enrollment, notAfter, conn);
    }
}
