package dev.imprint.server.lifecycle;

import dev.imprint.device.MemoryState;
import dev.imprint.device.cloud.DeviceClient;

/** One simulated device of a fleet run and what happened to it; events arrive on the device's thread. */
final class SimDevice implements DeviceClient.Events {
    final String id;
    private final FleetReport rep;
    final MemoryState state;
    DeviceClient client;
    volatile boolean away; // churn: closed on purpose, back at backAt
    volatile long backAt;
    volatile boolean expectCutOff; // churn revoked its operational certificate
    volatile long startedAt;
    volatile long connectedAt;
    volatile boolean revoked;
    volatile long revokedAt;
    volatile boolean cut;
    volatile long sent; // written by the telemetry thread only
    volatile int rotations;
    volatile boolean reportsShadow; // AWS: report state to the shadow at the first connection, follow desired deltas

    SimDevice(String id, MemoryState state, FleetReport rep) {
        this.id = id;
        this.state = state;
        this.rep = rep;
    }

    @Override
    public void registered(String hub, boolean fallback) {
        rep.registrations.incrementAndGet();
        if (fallback) {
            rep.fallbacks.incrementAndGet();
        }
    }

    @Override
    public void connected(String hub) {
        if (connectedAt == 0) {
            connectedAt = System.nanoTime();
            rep.connected.incrementAndGet();
            rep.perHub.computeIfAbsent(hub, h -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
            rep.connectMillis.add((connectedAt - startedAt) / 1_000_000);
            if (reportsShadow) {
                reportState();
            }
        }
    }

    /** The device's state in its shadow (the twin's reported section): a shadow update a back end can read. */
    private void reportState() {
        client.reportProperties("{\"firmware\":\"sim-1.0\",\"dialect\":\"aws\"}").whenComplete((v, t) -> {
            if (t == null) {
                rep.shadowUpdates.incrementAndGet();
            } else {
                rep.error("SHADOW_" + dev.imprint.device.cloud.CloudException.of(t).code());
            }
        });
    }

    /** A desired document or delta handed to the device (the shadow's). */
    void desired() {
        rep.desiredSeen.incrementAndGet();
    }

    @Override
    public void rotated(String newSerial) {
        rep.rotations.incrementAndGet();
        rotations++; // on this device's thread only
    }

    @Override
    public void disconnected(String code) {
        if (revoked && !cut) {
            cut = true;
            rep.cutOff.add((System.nanoTime() - revokedAt) / 1_000_000);
        } else if (expectCutOff) {
            expectCutOff = false;
        } else if (!revoked && !away) {
            rep.error("DISCONNECTED_" + code);
        }
    }

    @Override
    public void failed(String code) {
        rep.error(code);
        if (revoked) {
            rep.refusedAfterRevocation.incrementAndGet();
        }
    }

    @Override
    public void transientError(String code) {
        if (!revoked) {
            rep.error(code);
        }
    }
}
