package dev.imprint.hub;

import dev.imprint.mqtt.ConnectOutcome;
import dev.imprint.pki.validation.Verdict;
import dev.imprint.store.DeviceRecord;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import java.util.function.BooleanSupplier;

/**
 * Who may connect to a hub, as values: the certificate's verdict and the CONNECT's names first,
 * then the registry record. Pure functions; the {@link Hub} does the I/O around them. Which topics
 * a connected device may use is {@link AzureTopics}.
 */
final class DeviceAccess {
    /** Imprint's device certificates carry the ID in this SAN URI; other CAs put it in the CN. */
    static final String DEVICE_URI_PREFIX = "urn:imprint:device:";

    private DeviceAccess() {}

    /**
     * The refusal of a CONNECT by what it carries, or null when the registry decides next.
     * The client ID must be the certificate's identity: a device speaks only for itself.
     */
    static ConnectOutcome refuseConnect(Verdict verdict, String clientId, String username) {
        if (verdict instanceof Verdict.Refused r) {
            return ConnectOutcome.refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, r.reason().name(),
                    "certificate refused at step " + r.step().number() + ": " + r.detail());
        }
        String deviceId = deviceId(((Verdict.Accepted) verdict).identity());
        if (!deviceId.equals(clientId)) {
            return ConnectOutcome.refuse(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, "IDENTITY_MISMATCH",
                    "client ID '" + clientId + "' is not the certificate's identity '" + deviceId + "'");
        }
        if (username != null && !usernameMatches(username, deviceId)) {
            return ConnectOutcome.refuse(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD, "USERNAME_MISMATCH",
                    "username '" + username + "' does not name device " + deviceId);
        }
        return null;
    }

    /**
     * Why a registered device may not be on hub {@code hubName} now; null when it may. The
     * enrollment is looked up only when the record itself allows the device.
     */
    static String registryRefusal(DeviceRecord d, String hubName, BooleanSupplier enrollmentEnabled) {
        if (!d.hub().equals(hubName)) {
            return "NOT_ASSIGNED_TO_HUB";
        }
        if (!d.enabled()) {
            return "DEVICE_DISABLED";
        }
        return enrollmentEnabled.getAsBoolean() ? null : "ENROLLMENT_DISABLED";
    }

    /** The device ID in a verdict's identity: the Imprint SAN URI's tail, else the identity itself (a CN). */
    static String deviceId(String identity) {
        return identity.startsWith(DEVICE_URI_PREFIX) ? identity.substring(DEVICE_URI_PREFIX.length()) : identity;
    }

    /**
     * The Azure SDK's {@code {hubHost}/{deviceId}/?api-version=...}: the device part must be the
     * device. A username without '/' (a plain client's) is not checked: the certificate authenticates.
     */
    static boolean usernameMatches(String username, String deviceId) {
        String[] parts = username.split("/", 3);
        return parts.length == 1 || parts[1].equals(deviceId);
    }
}
