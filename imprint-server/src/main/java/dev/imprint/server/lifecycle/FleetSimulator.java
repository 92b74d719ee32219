package dev.imprint.server.lifecycle;

import dev.imprint.device.MemoryState;
import dev.imprint.device.cloud.CloudConfig;
import dev.imprint.device.cloud.DeviceClient;
import dev.imprint.device.cloud.DeviceRuntime;
import dev.imprint.server.cli.AdminClient;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Runs a simulated fleet through the whole life cycle against a running Imprint: the factory
 * (station, EST, ledger), DPS registration with a CSR, the hub over MQTT, telemetry at a steady
 * rate, certificate rotation over EST (as often as the server's operational lifetime makes it
 * necessary), and revocation of some devices half-way, timing how fast each is cut off.
 */
public final class FleetSimulator {

    /**
     * @param ratePerDevice telemetry messages per second per device
     * @param duration how long telemetry runs once the fleet is up
     * @param revoke devices revoked (keyCompromise) half-way through
     * @param parallel factory conversations in flight at once; registrations in flight are 16 times
     *     that, since each one waits out the DPS's Retry-After (2 s) before it polls
     * @param churn every this long one device goes away and comes back or has its certificate revoked ({@link Churn}); zero: never
     * @param park how long a device that goes away stays away (longer than the certificate lifetime: it registers again)
     */
    public record Options(int count, double ratePerDevice, Duration duration, int revoke, int parallel, Duration churn, Duration park) {
        public Options(int count, double ratePerDevice, Duration duration, int revoke, int parallel) {
            this(count, ratePerDevice, duration, revoke, parallel, Duration.ZERO, Duration.ZERO);
        }
    }

    private final AdminClient admin;
    private final CloudConfig cloud;
    private final Path workDir;
    private final PrintWriter out;
    private final boolean terminal;
    private final Narrator say;
    private SimDialect dialect;

    /** Plain-words commentary (the demo); the default prints nothing beyond progress lines. */
    public interface Narrator {
        void step(String text);
    }

    public FleetSimulator(AdminClient admin, CloudConfig cloud, Path workDir, PrintWriter out, boolean terminal, Narrator say) {
        this.admin = admin;
        this.cloud = cloud;
        this.workDir = workDir;
        this.out = out;
        this.terminal = terminal;
        this.say = say == null ? t -> { } : say;
        this.dialect = SimDialect.azure(cloud);
    }

    /** The fleet speaks {@code d} (default: Azure). */
    public FleetSimulator speaking(SimDialect d) {
        this.dialect = d;
        return this;
    }

    /** Runs to the end; never throws for what devices or servers do (it is all in the report). */
    public FleetReport run(Options o) throws InterruptedException {
        FleetReport rep = new FleetReport();
        rep.rotation = dialect.rotation();
        long t0 = System.nanoTime();
        say.step(String.format("The factory: a new station makes %d devices. Each device generates its own key; the station "
                + "gets a factory certificate for it from the manufacturing CA over EST and checks the device holds the key.", o.count()));
        List<MemoryState> made = SimFactory.provision(admin, cloud.est().toString(), workDir, o.count(), o.parallel(), out, terminal);
        rep.factorySeconds = seconds(t0);
        rep.provisioned = made.size();
        out.printf("factory: %d devices provisioned in %.1f s%n", made.size(), rep.factorySeconds);
        out.flush();

        List<SimDevice> fleet = new ArrayList<>();
        try (DeviceRuntime rt = new DeviceRuntime(Math.max(2, Runtime.getRuntime().availableProcessors()))) {
            say.step("In the field: each device proves its factory identity to the provisioning service (DPS) over mutual TLS, "
                    + "sends a certificate request for a fresh key, and gets back an operational certificate and the hub it should use.");
            long t1 = System.nanoTime();
            // a registration spends most of its time waiting for its poll (Retry-After): the window is
            // what keeps the servers busy, so it is wide (16 x parallel: 1,024 at --parallel 64)
            Semaphore starting = new Semaphore(Math.max(1, o.parallel() * 16));
            for (MemoryState s : made) {
                SimDevice d = new SimDevice(s.deviceId().orElseThrow(), s, rep);
                d.reportsShadow = dialect.aws();
                d.client = dialect.client(rt, cloud, d);
                fleet.add(d);
                starting.acquire();
                d.startedAt = System.nanoTime();
                d.client.start().whenComplete((v, t) -> starting.release());
            }
            awaitConnected(fleet, Duration.ofSeconds(Math.max(60, o.count() / 20)));
            rep.connectSeconds = seconds(t1);
            out.printf("connected: %d of %d devices in %.1f s (%s)%n", rep.connected.get(), fleet.size(), rep.connectSeconds, rep.hubsLine());
            out.flush();
            say.step(String.format("All %d devices are on their hubs (%s). They now send telemetry, %s message(s) per second each, "
                    + "over MQTT with acknowledgements; a message leaves the device's queue only when the hub confirms it.",
                    rep.connected.get(), rep.hubsLine(), trim(o.ratePerDevice())));

            runTelemetry(fleet, o, rep, o.churn().isZero() ? null : new Churn(fleet, rt, cloud, dialect, admin, rep, o.park()));
            // drain: every queued message of a live device must reach the hub
            long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < drainUntil && fleet.stream().anyMatch(d -> !d.revoked && d.client.queued() > 0
                    && d.client.state() != DeviceClient.State.FAILED)) {
                Thread.sleep(50);
            }
            for (SimDevice d : fleet) {
                if (!d.revoked) {
                    rep.unacked += d.client.queued();
                    rep.sentByDevice.put(d.id, d.sent);
                    rep.rotationsByDevice.put(d.id, d.rotations);
                } else {
                    rep.revokedEndedWith.put(d.id, d.client.state() + (d.client.failureCode() == null ? "" : " " + d.client.failureCode()));
                }
                d.client.close();
            }
        }
        rep.totalSeconds = seconds(t0);
        return rep;
    }

    private void runTelemetry(List<SimDevice> fleet, Options o, FleetReport rep, Churn churn) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + o.duration().toNanos();
        long revokeAt = start + o.duration().toNanos() / 2;
        boolean revoked = o.revoke() == 0;
        long lastPrint = start;
        long nextChurn = start + o.churn().toNanos();
        while (System.nanoTime() < end) {
            long now = System.nanoTime();
            double elapsed = (now - start) / 1e9;
            long due = (long) Math.floor(elapsed * o.ratePerDevice()) + 1;
            for (SimDevice d : fleet) {
                while (d.sent < due && !d.revoked && !d.away && d.client.state() != DeviceClient.State.FAILED) {
                    long seq = ++d.sent;
                    rep.sent.incrementAndGet();
                    d.client.send(("{\"seq\":" + seq + ",\"temperature\":" + (20 + seq % 7) + "}").getBytes(StandardCharsets.UTF_8),
                            Map.of("seq", Long.toString(seq))).whenComplete((v, t) -> {
                                if (t == null) {
                                    rep.acked.incrementAndGet();
                                } else if (d.backAt != 0 && t instanceof dev.imprint.device.cloud.CloudException ce && "CLOSED".equals(ce.code())) {
                                    rep.droppedByChurn.incrementAndGet(); // queued when its device went away on purpose
                                } else if (!d.revoked) {
                                    rep.lost.incrementAndGet(); // a live device's message that never reached the hub
                                }
                            });
                }
            }
            if (churn != null) {
                if (now >= nextChurn) {
                    nextChurn += o.churn().toNanos();
                    churn.step(now);
                }
                churn.comeBack(now);
            }
            if (!revoked && now >= revokeAt) {
                revoked = true;
                revoke(fleet, o.revoke(), rep);
            }
            if (now - lastPrint >= TimeUnit.SECONDS.toNanos(terminal ? 1 : 5)) {
                lastPrint = now;
                out.printf("%s%4.0f s  connected %d  messages %d sent / %d acknowledged  rotations %d  revoked %d (cut off %d)%s",
                        terminal ? "\r" : "", elapsed, rep.connectedNow(fleet), rep.sent.get(), rep.acked.get(), rep.rotations.get(),
                        rep.revoked, rep.cutOff.size(), terminal ? "" : "\n");
                out.flush();
            }
            Thread.sleep(50);
        }
        if (terminal) {
            out.println();
        }
    }

    private void revoke(List<SimDevice> fleet, int k, FleetReport rep) {
        List<SimDevice> victims = fleet.subList(Math.max(0, fleet.size() - k), fleet.size());
        say.step(String.format("Stolen! %d device(s) reported stolen: %s. The operator revokes every certificate of %s "
                + "(imprint cert revoke --device ID --reason keyCompromise).", victims.size(),
                String.join(", ", victims.stream().map(d -> d.id).toList()), victims.size() == 1 ? "it" : "them"));
        for (SimDevice d : victims) {
            d.revoked = true;
            d.revokedAt = System.nanoTime();
            rep.revoked++;
            try {
                admin.post("/devices/" + d.id + "/revoke", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                        .put("reason", "keyCompromise"));
            } catch (RuntimeException e) {
                rep.error("REVOKE_FAILED");
            }
        }
    }

    private void awaitConnected(List<SimDevice> fleet, Duration max) throws InterruptedException {
        long until = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < until) {
            long pending = fleet.stream().filter(d -> d.connectedAt == 0 && d.client.state() != DeviceClient.State.FAILED).count();
            if (pending == 0) {
                return;
            }
            Thread.sleep(50);
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
