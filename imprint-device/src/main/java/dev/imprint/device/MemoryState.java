package dev.imprint.device;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/** A simulated device's state, in memory. Subclasses may add persistence of the device ID. */
public class MemoryState implements DeviceState, OperationalState {
    private volatile Operational operational;
    private final DeviceKey key;
    private volatile String id;
    private volatile List<X509Certificate> chain = List.of();
    private volatile boolean provisioned;

    public MemoryState(DeviceKey key, String id) {
        this.key = key;
        this.id = id;
    }

    @Override
    public DeviceKey key() {
        return key;
    }

    @Override
    public Optional<String> deviceId() {
        return Optional.ofNullable(id);
    }

    @Override
    public void saveDeviceId(String id) {
        this.id = id;
    }

    @Override
    public void install(List<X509Certificate> chain) {
        this.chain = List.copyOf(chain);
    }

    @Override
    public List<X509Certificate> chain() {
        return chain;
    }

    @Override
    public void markProvisioned() {
        provisioned = true;
    }

    @Override
    public boolean provisioned() {
        return provisioned;
    }

    @Override
    public Optional<Operational> operational() {
        return Optional.ofNullable(operational);
    }

    @Override
    public void saveOperational(Operational o) {
        operational = o;
    }
}
