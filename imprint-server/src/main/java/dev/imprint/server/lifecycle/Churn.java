package dev.imprint.server.lifecycle;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.imprint.device.MemoryState;
import dev.imprint.device.cloud.CloudConfig;
import dev.imprint.device.cloud.DeviceClient;
import dev.imprint.device.cloud.DeviceRuntime;
import dev.imprint.server.cli.AdminClient;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a fleet does over months, compressed for a soak run: at every {@link #step} one live
 * device, in turn, does the next of
 * <ol>
 *   <li>drop and reconnect at once (a new TLS session on the hub);</li>
 *   <li>go away for {@code park} and come back (longer than the certificate lifetime: it then
 *       registers again with DPS with its factory certificate);</li>
 *   <li>have its operational certificate revoked (superseded): the hub cuts it off, refuses it
 *       when it reconnects, and the device registers again with DPS.</li>
 * </ol>
 * The fleet keeps its size, so a soak measures a steady load. Runs on the telemetry thread.
 */
final class Churn {
    private final List<SimDevice> fleet;
    private final DeviceRuntime rt;
    private final CloudConfig cloud;
    private final SimDialect dialect;
    private final AdminClient admin;
    private final FleetReport rep;
    private final Duration park;
    private final List<SimDevice> away = new ArrayList<>();
    private int next;
    private long steps;

    Churn(List<SimDevice> fleet, DeviceRuntime rt, CloudConfig cloud, SimDialect dialect, AdminClient admin, FleetReport rep, Duration park) {
        this.fleet = fleet;
        this.dialect = dialect;
        this.rt = rt;
        this.cloud = cloud;
        this.admin = admin;
        this.rep = rep;
        this.park = park;
    }

    void step(long now) {
        SimDevice d = nextLive();
        if (d == null) {
            return;
        }
        steps++;
        switch ((int) (steps % 3)) {
            case 1 -> goAway(d, now);
            case 2 -> goAway(d, now + park.toNanos());
            default -> revokeOperational(d);
        }
    }

    /** Brings back the devices whose time away is over. */
    void comeBack(long now) {
        for (var it = away.iterator(); it.hasNext(); ) {
            SimDevice d = it.next();
            if (now >= d.backAt) {
                it.remove();
                d.client = client(d);
                d.away = false;
                d.client.start();
                rep.churned.incrementAndGet();
            }
        }
    }

    private DeviceClient client(SimDevice d) {
        return dialect.client(rt, cloud, d);
    }

    private void goAway(SimDevice d, long backAt) {
        d.away = true;
        d.backAt = backAt;
        d.client.close();
        away.add(d);
    }

    private void revokeOperational(SimDevice d) {
        MemoryState s = d.state;
        s.operational().ifPresent(o -> {
            X509Certificate leaf = o.chain().get(0);
            d.expectCutOff = true;
            try {
                admin.post("/certificates/" + leaf.getSerialNumber().toString(16) + "/revoke",
                        JsonNodeFactory.instance.objectNode().put("reason", "superseded"));
                rep.churnRevocations.incrementAndGet();
            } catch (RuntimeException e) {
                rep.error("REVOKE_FAILED");
            }
        });
    }

    private SimDevice nextLive() {
        for (int i = 0; i < fleet.size(); i++) {
            SimDevice d = fleet.get(next++ % fleet.size());
            if (!d.revoked && !d.away && d.client.state() == DeviceClient.State.CONNECTED) {
                return d;
            }
        }
        return null;
    }
}
