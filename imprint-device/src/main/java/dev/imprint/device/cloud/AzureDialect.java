package dev.imprint.device.cloud;

import dev.imprint.device.Csrs;
import dev.imprint.device.DeviceKey;
import dev.imprint.device.OperationalState;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The Azure dialect: registration with the provisioning service (Azure DPS protocol, over HTTPS
 * or MQTT as {@link CloudConfig#dpsTransport()} says), the assigned hub in the Azure IoT Hub MQTT
 * dialect, renewal over EST {@code /simplereenroll}.
 */
public final class AzureDialect implements Dialect {
    private final DeviceRuntime rt;
    private final CloudConfig config;
    private final Duration timeout;
    private final DpsClient dps;
    private final EstClient est;

    public AzureDialect(DeviceRuntime rt, CloudConfig config, Duration timeout) {
        this.rt = rt;
        this.config = config;
        this.timeout = timeout;
        this.dps = new DpsClient(rt, config, timeout);
        this.est = new EstClient(rt, config, timeout);
    }

    @Override
    public String name() {
        return "azure";
    }

    @Override
    public CompletableFuture<OperationalState.Operational> provision(Identity factory, String deviceId, DeviceKey key) {
        return dps.register(factory, deviceId, Csrs.build(key, deviceId))
                .thenApply(r -> new OperationalState.Operational(key, r.issuedChain(), r.hubHostname()));
    }

    @Override
    public CompletableFuture<Session> connect(OperationalState.Operational op, String deviceId, Session.Inbound inbound) {
        return HubConnection.connect(rt, config.hubEndpoint(op.hubHostname()), op.hubHostname(), new Identity(op.key(), op.chain()),
                deviceId, config, inbound, timeout).thenApply(c -> c);
    }

    @Override
    public CompletableFuture<List<X509Certificate>> renew(Identity current, String deviceId, DeviceKey key, Session live) {
        return est.reenroll(current, Csrs.build(key, deviceId));
    }
}
