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

    /** Device telemetry kept by the hubs (bounded retention). */
    TelemetryStore telemetry();

    /** The hubs' cloud-to-device queue. */
    C2dQueue cloudToDevice();

    /** Device twins (desired and reported properties). */
    TwinStore twins();

    /** Which hub a device is connected to, and when it was last seen. */
    PresenceStore presence();

    /** "sqlite" or "postgresql". */
    String dialect();

    @Override
    void close();
}
