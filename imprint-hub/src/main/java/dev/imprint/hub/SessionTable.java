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
    /**
     * By serial: the one session on that certificate (a {@link DeviceSession}), or an immutable
     * set of them while two overlap (a reconnect, between the newer's add and the older's
     * removal). One map entry per session, not a set each: it is held for every idle session.
     */
    private final ConcurrentHashMap<String, Object> bySerial = new ConcurrentHashMap<>();

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
            bySerial.merge(s.serial, s, (cur, one) -> with(cur, s));
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

    @SuppressWarnings("unchecked")
    Set<DeviceSession> withSerial(String serialHex) {
        Object v = bySerial.get(serialHex);
        return v == null ? Set.of() : v instanceof DeviceSession one ? Set.of(one) : (Set<DeviceSession>) v;
    }

    Collection<DeviceSession> all() {
        return byDevice.values();
    }

    int size() {
        return byDevice.size();
    }

    private void forget(DeviceSession s) {
        bySerial.computeIfPresent(s.serial, (k, cur) -> without(cur, s));
    }

    @SuppressWarnings("unchecked")
    private static Object with(Object cur, DeviceSession s) {
        if (cur == s) {
            return cur;
        }
        Set<DeviceSession> all = new java.util.HashSet<>(cur instanceof DeviceSession one ? Set.of(one) : (Set<DeviceSession>) cur);
        all.add(s);
        return Set.copyOf(all);
    }

    /** What is left for the serial without {@code s}: null when nothing. */
    @SuppressWarnings("unchecked")
    private static Object without(Object cur, DeviceSession s) {
        if (cur == s) {
            return null;
        }
        if (cur instanceof DeviceSession) {
            return cur;
        }
        Set<DeviceSession> rest = new java.util.HashSet<>((Set<DeviceSession>) cur);
        rest.remove(s);
        return rest.isEmpty() ? null : rest.size() == 1 ? rest.iterator().next() : Set.copyOf(rest);
    }
}
