package dev.imprint.device;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * What a device keeps about its life in the field: the operational key and certificate (from DPS
 * or EST, replacing each other at every rotation) and the hub DPS assigned. The factory key and
 * certificate ({@link DeviceState}) are never replaced: they are the way back when the
 * operational certificate has expired.
 */
public interface OperationalState {

    /** @param chain leaf first; @param hubHostname the hub DPS assigned */
    record Operational(DeviceKey key, List<X509Certificate> chain, String hubHostname) {
        public Operational {
            chain = List.copyOf(chain);
        }
    }

    Optional<Operational> operational();

    /** Replaces the operational identity (atomically: a power cut leaves the old or the new one). */
    void saveOperational(Operational o);
}
