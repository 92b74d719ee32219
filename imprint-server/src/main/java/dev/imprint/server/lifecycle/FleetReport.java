package dev.imprint.server.lifecycle;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** What a fleet run did: counts per stage, per hub, messages, rotations, revocations, errors by reason code. */
public final class FleetReport {
    public int provisioned;
    public final AtomicInteger registrations = new AtomicInteger();
    public final AtomicInteger fallbacks = new AtomicInteger();
    public final AtomicInteger connected = new AtomicInteger();
    public final Map<String, AtomicInteger> perHub = new ConcurrentHashMap<>();
    public final ConcurrentLinkedQueue<Long> connectMillis = new ConcurrentLinkedQueue<>();
    public final AtomicInteger rotations = new AtomicInteger();
    public final AtomicLong sent = new AtomicLong();
    public final AtomicLong acked = new AtomicLong();
    public final AtomicLong lost = new AtomicLong();
    public long unacked;
    public int revoked;
    public final ConcurrentLinkedQueue<Long> cutOff = new ConcurrentLinkedQueue<>();
    public final AtomicInteger refusedAfterRevocation = new AtomicInteger();
    public final Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
    /** Churn (soak runs): devices that went away and came back, operational certificates revoked under them. */
    public final AtomicInteger churned = new AtomicInteger();
    public final AtomicInteger churnRevocations = new AtomicInteger();
    /** Messages a device still held when it went away on purpose (not counted as lost). */
    public final AtomicLong droppedByChurn = new AtomicLong();
    /** Per device at the end: messages sent (live devices only), rotations, and how revoked devices ended. */
    public final Map<String, Long> sentByDevice = new ConcurrentHashMap<>();
    public final Map<String, Integer> rotationsByDevice = new ConcurrentHashMap<>();
    public final Map<String, String> revokedEndedWith = new ConcurrentHashMap<>();
    public double factorySeconds;
    public double connectSeconds;
    public double totalSeconds;
    /** How rotations are done (the summary's words). */
    public String rotation = "EST simplereenroll";
    /** AWS dialect: reported-state updates the shadow accepted, desired documents or deltas the devices were handed. */
    public final AtomicInteger shadowUpdates = new AtomicInteger();
    public final AtomicInteger desiredSeen = new AtomicInteger();

    void error(String code) {
        errors.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
    }

    /** The fewest rotations any live (not revoked) device made. */
    public int minRotations() {
        return rotationsByDevice.values().stream().mapToInt(Integer::intValue).min().orElse(0);
    }

    String hubsLine() {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(perHub).forEach((h, n) -> b.append(b.length() == 0 ? "" : ", ").append(h).append(": ").append(n.get()));
        return b.length() == 0 ? "no hub" : b.toString();
    }

    long connectedNow(List<SimDevice> fleet) {
        return fleet.stream().filter(d -> d.client.state() == dev.imprint.device.cloud.DeviceClient.State.CONNECTED).count();
    }

    /** The slowest cut-off after a revocation, in ms (-1 when none was revoked or none cut off). */
    public long maxCutOffMillis() {
        return cutOff.stream().mapToLong(Long::longValue).max().orElse(-1);
    }

    public Map<String, Integer> errorCounts() {
        Map<String, Integer> m = new TreeMap<>();
        errors.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    public void print(PrintWriter out) {
        out.println("summary");
        out.printf("  provisioned          %d (factory %.1f s, %.0f devices/s)%n", provisioned, factorySeconds,
                factorySeconds > 0 ? provisioned / factorySeconds : 0);
        out.printf("  registered           %d registrations (%d after an expired certificate, through the factory certificate)%n",
                registrations.get(), fallbacks.get());
        out.printf("  connected            %d in %.1f s (%.0f devices/s); per hub: %s%n", connected.get(), connectSeconds,
                connectSeconds > 0 ? connected.get() / connectSeconds : 0, hubsLine());
        out.printf("  messages             %d sent, %d acknowledged by the hub, %d failed, %d still queued at the end%n",
                sent.get(), acked.get(), lost.get(), unacked);
        out.printf("  rotations            %d (%s, new key each time; at least %d per live device)%n", rotations.get(), rotation,
                minRotations());
        if (shadowUpdates.get() + desiredSeen.get() > 0) {
            out.printf("  shadow               %d reported-state updates accepted, %d desired changes handed to devices%n",
                    shadowUpdates.get(), desiredSeen.get());
        }
        out.printf("  revoked              %d, cut off %d (slowest %d ms), refused when they came back %d%s%n", revoked, cutOff.size(),
                maxCutOffMillis(), refusedAfterRevocation.get(),
                revokedEndedWith.isEmpty() ? "" : " (" + String.join(", ", new java.util.TreeSet<>(revokedEndedWith.values())) + ")");
        if (churned.get() + churnRevocations.get() > 0) {
            out.printf("  churn                %d went away and came back, %d operational certificates revoked (re-registered),"
                    + " %d queued messages dropped on the way out%n", churned.get(), churnRevocations.get(), droppedByChurn.get());
        }
        out.printf("  errors by reason     %s%n", errors.isEmpty() ? "none" : errorCounts());
        out.printf("  total                %.1f s%n", totalSeconds);
        out.flush();
    }
}
