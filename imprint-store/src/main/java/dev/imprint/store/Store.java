package dev.imprint.store;

/**
 * The store: one JDBC database (SQLite file embedded, or PostgreSQL) holding every record of
 * the CA. Opened with {@code JdbcStore.open(url, ...)}; migrations run on open.
 */
public interface Store extends AutoCloseable {
    CertificateStore certificates();

    StationStore stations();

    CrlStateStore crls();

    AuditLog audit();

    /** The factory ledger of provisioned devices. */
    Ledger ledger();

    /** Device telemetry kept by the hubs (bounded retention). */
    TelemetryStore telemetry();

    /** The device event outbox (migration V11); stores without one refuse. */
    default DeviceEvents deviceEvents() {
        throw new UnsupportedOperationException("this store has no device event outbox");
    }

    /** The hubs' cloud-to-device queue. */
    C2dQueue cloudToDevice();

    /** Device twins (desired and reported properties). */
    TwinStore twins();

    /** Device shadows (AWS dialect): the classic one is the twin's row, named ones their own. */
    ShadowStore shadows();

    /** Which hub a device is connected to, and when it was last seen. */
    PresenceStore presence();

    /** Which node holds each connected device's session (several hub nodes per hub). */
    SessionDirectory sessions();

    /** The device registry DPS writes and the hubs read (devices, their hub, history). */
    DeviceRegistry deviceRegistry();

    /** IoT hubs devices are assigned to. */
    HubStore hubs();

    /** DPS enrollments. */
    EnrollmentStore enrollments();

    /** The node table of a cluster (several nodes on PostgreSQL; unused by one process). */
    NodeStore nodes();

    /** Node-to-node messages waiting for their node (the PostgreSQL node bus). */
    NodeInbox nodeInbox();

    /** The web console's login links and sessions (hashed), shared by every admin node. */
    ConsoleSessionStore consoleSessions();

    /** Operator accounts and their roles, shared by every admin node. */
    OperatorStore operators();

    /** Secrets every node shares and a restart keeps (migration V14); stores without them refuse. */
    default SharedSecrets sharedSecrets() {
        throw new UnsupportedOperationException("this store keeps no shared secrets");
    }

    /** "sqlite" or "postgresql". */
    String dialect();

    @Override
    void close();
}
