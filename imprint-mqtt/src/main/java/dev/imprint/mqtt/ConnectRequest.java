package dev.imprint.mqtt;

import dev.imprint.pki.validation.Verdict;

/**
 * A CONNECT as the application sees it.
 *
 * @param clientId the MQTT client ID (never empty: empty IDs are refused by the transport)
 * @param username the username, null when absent (the Azure SDK sends {@code host/deviceId/?api-version=...})
 * @param cleanSession the clean-session flag
 * @param keepAliveSeconds the keep-alive in force (the client's, capped by the limits)
 * @param verdict the shared validator's verdict on the client's certificate chain
 */
public record ConnectRequest(String clientId, String username, boolean cleanSession, int keepAliveSeconds, Verdict verdict) {}
