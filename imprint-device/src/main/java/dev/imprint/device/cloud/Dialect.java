package dev.imprint.device.cloud;

import dev.imprint.device.DeviceKey;
import dev.imprint.device.OperationalState;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The cloud protocol a device speaks: how it gets its operational certificate with the factory
 * one, how it connects with it, and how it renews it. {@link AzureDialect} (DPS, IoT Hub, EST) and
 * {@link AwsDialect} (fleet provisioning by claim, the AWS IoT Core endpoint, create-from-csr);
 * {@link DeviceClient} runs the same life cycle (queue, back-off, rotation at two thirds, fallback
 * to the factory certificate) over either. Every failure is a {@link CloudException}.
 */
public interface Dialect {

    /** {@code azure} or {@code aws}: for logs and displays. */
    String name();

    /**
     * Provisions the device with its factory identity and a CSR for {@code key}.
     *
     * @return the operational identity (its chain not yet checked against {@code key}) and the
     *     endpoint it connects to; permanent refusals carry the server's reason code (REVOKED ...)
     */
    CompletableFuture<OperationalState.Operational> provision(Identity factory, String deviceId, DeviceKey key);

    /**
     * Opens a session with the operational identity. A refused CONNECT fails with a permanent
     * CONNACK_* code (CONNACK_NOT_AUTHORIZED: the certificate is no longer taken; provision again).
     */
    CompletableFuture<Session> connect(OperationalState.Operational op, String deviceId, Session.Inbound inbound);

    /**
     * A new certificate for {@code key} with the same identity, authenticated by {@code current};
     * {@code live} is the session it holds now (a dialect may renew over it). Leaf first.
     */
    CompletableFuture<List<X509Certificate>> renew(Identity current, String deviceId, DeviceKey key, Session live);
}
