package dev.imprint.hub;

import dev.imprint.mqtt.ConnectOutcome;
import dev.imprint.mqtt.MqttConnection;
import dev.imprint.pki.validation.Verdict;
import dev.imprint.shadow.Shadows;
import dev.imprint.store.DeviceRecord;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
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
        return new AwsDialect(shadows, null, false, OwnershipTokens.newKey());
    }

    /**
     * AWS IoT Core with fleet provisioning and just-in-time provisioning through {@code provisioner}
     * (null: none on this node); {@code serverKeys} allows {@code $aws/certificates/create/json};
     * the ownership tokens' key is {@code secrets}' {@code aws.ownershipTokens}, made on first use:
     * the same on every node and after a restart.
     *
     * @throws dev.imprint.store.StoreException when the store cannot give the key
     */
    static HubDialect aws(Shadows shadows, ThingProvisioner provisioner, boolean serverKeys, dev.imprint.store.SharedSecrets secrets) {
        return new AwsDialect(shadows, provisioner, serverKeys, secrets.secret(OwnershipTokens.KEY_NAME, OwnershipTokens::newKey));
    }

    /** The refusal of a CONNECT by what it carries, or null when the registry decides next. */
    ConnectOutcome refuseConnect(Verdict verdict, String clientId, String username);

    /** Why a registered device may not be on hub {@code hubName} now; null when it may. */
    String registryRefusal(DeviceRecord d, String hubName, BooleanSupplier enrollmentEnabled);

    /**
     * A device with a valid certificate that the registry does not know: null when it was
     * registered just now (the registry is read again), else the reason code of the refusal.
     */
    default String registerUnknown(List<X509Certificate> path) {
        return "NOT_REGISTERED";
    }

    /** The session of an admitted device; {@code path} is its validated path, leaf first. */
    DeviceSession session(Hub hub, String deviceId, String serial, String enrollment, Instant notAfter, MqttConnection conn,
            List<X509Certificate> path);
}
