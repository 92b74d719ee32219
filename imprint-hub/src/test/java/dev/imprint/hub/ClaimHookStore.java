package dev.imprint.hub;

import dev.imprint.store.AuditLog;
import dev.imprint.store.C2dQueue;
import dev.imprint.store.CertificateStore;
import dev.imprint.store.CrlStateStore;
import dev.imprint.store.DeviceRegistry;
import dev.imprint.store.EnrollmentStore;
import dev.imprint.store.HubStore;
import dev.imprint.store.Ledger;
import dev.imprint.store.NodeInbox;
import dev.imprint.store.NodeStore;
import dev.imprint.store.PresenceStore;
import dev.imprint.store.SessionDirectory;
import dev.imprint.store.StationStore;
import dev.imprint.store.Store;
import dev.imprint.store.TelemetryStore;
import dev.imprint.store.TwinStore;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A real store whose session claims run a hook between their commit and the hub hearing of it:
 * where another node's change (a disable, a move) lands in a real race.
 */
final class ClaimHookStore implements Store {
    private final Store store;
    private final SessionDirectory sessions;
    volatile Consumer<String> afterClaim = id -> { };

    ClaimHookStore(Store store) {
        this.store = store;
        SessionDirectory d = store.sessions();
        this.sessions = new SessionDirectory() {
            @Override
            public CompletableFuture<Claim> claim(String deviceId, String hub, String node, Instant at) {
                return d.claim(deviceId, hub, node, at).thenApply(c -> {
                    afterClaim.accept(deviceId);
                    return c;
                });
            }

            @Override
            public CompletableFuture<Void> release(String deviceId, String node, long epoch, Instant at) {
                return d.release(deviceId, node, epoch, at);
            }

            @Override
            public Optional<Entry> find(String deviceId) {
                return d.find(deviceId);
            }

            @Override
            public int count(String node) {
                return d.count(node);
            }

            @Override
            public java.util.List<Count> countByHub() {
                return d.countByHub();
            }

            @Override
            public java.util.List<Entry> withQueuedC2d(String node, Instant now, int limit) {
                return d.withQueuedC2d(node, now, limit);
            }

            @Override
            public int removeNode(String node) {
                return d.removeNode(node);
            }

            @Override
            public int removeSessions(String node, String hub) {
                return d.removeSessions(node, hub);
            }
        };
    }

    @Override
    public SessionDirectory sessions() {
        return sessions;
    }

    @Override
    public CertificateStore certificates() {
        return store.certificates();
    }

    @Override
    public StationStore stations() {
        return store.stations();
    }

    @Override
    public CrlStateStore crls() {
        return store.crls();
    }

    @Override
    public AuditLog audit() {
        return store.audit();
    }

    @Override
    public Ledger ledger() {
        return store.ledger();
    }

    @Override
    public TelemetryStore telemetry() {
        return store.telemetry();
    }

    @Override
    public C2dQueue cloudToDevice() {
        return store.cloudToDevice();
    }

    @Override
    public TwinStore twins() {
        return store.twins();
    }

    @Override
    public dev.imprint.store.ShadowStore shadows() {
        return store.shadows();
    }

    @Override
    public PresenceStore presence() {
        return store.presence();
    }

    @Override
    public DeviceRegistry deviceRegistry() {
        return store.deviceRegistry();
    }

    @Override
    public HubStore hubs() {
        return store.hubs();
    }

    @Override
    public EnrollmentStore enrollments() {
        return store.enrollments();
    }

    @Override
    public NodeStore nodes() {
        return store.nodes();
    }

    @Override
    public NodeInbox nodeInbox() {
        return store.nodeInbox();
    }

    @Override
    public dev.imprint.store.ConsoleSessionStore consoleSessions() {
        return store.consoleSessions();
    }

    @Override
    public dev.imprint.store.OperatorStore operators() {
        return store.operators();
    }

    @Override
    public String dialect() {
        return store.dialect();
    }

    @Override
    public void close() {
        store.close();
    }
}
