package dev.imprint.hub;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live sessions of one hub on this node: by device, and by certificate serial so that a
 * revocation finds its sessions without a scan of them all. Thread-safe.
 */
final class SessionTable {
    private final ConcurrentHashMap<String, DeviceSession> byDevice = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<DeviceSession>> bySerial = new ConcurrentHashMap<>();

    /**
     * Adds a session whose directory claim committed. Two connects of one device may finish in
     * either order: the newer epoch wins. Returns the session that lost (to be closed), which is
     * {@code s} itself when a newer one is already here; null when the device had none.
     */
    DeviceSession add(DeviceSession s) {
        DeviceSession[] loser = {null};
        byDevice.compute(s.deviceId, (k, cur) -> {
            boolean keepCurrent = cur != null && cur.epoch > s.epoch;
            loser[0] = keepCurrent ? s : cur;
            return keepCurrent ? cur : s;
        });
        if (loser[0] != s) {
            bySerial.computeIfAbsent(s.serial, k -> ConcurrentHashMap.newKeySet()).add(s);
            if (loser[0] != null) {
                forget(loser[0]);
            }
        }
        return loser[0];
    }

    /** Removes the session; false when it was not the device's current one (replaced, or never added). */
    boolean remove(DeviceSession s) {
        forget(s);
        return byDevice.remove(s.deviceId, s);
    }

    Optional<DeviceSession> get(String deviceId) {
        return Optional.ofNullable(byDevice.get(deviceId));
    }

    Set<DeviceSession> withSerial(String serialHex) {
        return bySerial.getOrDefault(serialHex, Set.of());
    }

    Collection<DeviceSession> all() {
        return byDevice.values();
    }

    int size() {
        return byDevice.size();
    }

    private void forget(DeviceSession s) {
        bySerial.computeIfPresent(s.serial, (k, set) -> {
            set.remove(s);
            return set.isEmpty() ? null : set;
        });
    }
}
