package dev.imprint.device;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * What a device keeps across power cycles: its key, its device ID once assigned, and the
 * installed certificate chain. {@link FolderState} keeps it in files; {@link MemoryState} is for
 * simulated devices.
 */
public interface DeviceState {

    /** The device key, generated and stored on first use. */
    DeviceKey key();

    /** The device ID, once assigned (or configured). */
    Optional<String> deviceId();

    void saveDeviceId(String id);

    /** Stores the chain (leaf first). The caller has checked that the leaf carries this device's key. */
    void install(List<X509Certificate> chain);

    /** The installed chain, leaf first; empty before installation. */
    List<X509Certificate> chain();

    /** Marks the factory step complete (the station confirmed the possession proof). */
    void markProvisioned();

    boolean provisioned();
}
