package dev.imprint.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The store on one JDBC database: an embedded SQLite file (default) or PostgreSQL (several
 * nodes). Opening runs the Flyway migrations of the dialect ({@code db/migration/sqlite} or
 * {@code db/migration/postgresql}). Thread-safe; close it once.
 *
 * <p>Durability: every write is one transaction that is committed, and on SQLite fsynced
 * (WAL, {@code synchronous=FULL}), before the method returns.
 *
 * <p>Times are stored as epoch milliseconds: an {@link java.time.Instant} comes back truncated
 * to the millisecond.
 */
public final class JdbcStore implements Store {
    /** How long an SQLite writer waits for another process's write lock before failing. */
    private static final int SQLITE_BUSY_TIMEOUT_MS = 10_000;

    private final Db db;
    private final CertificateStore certificates;
    private final StationStore stations;
    private final CrlStateStore crls;
    private final AuditLog audit;
    private final Ledger ledger;
    // hub tables (migration V4)
    private final TelemetryStore telemetry;
    private final C2dQueue cloudToDevice;
    private final TwinStore twins;
    // migration V10: the classic shadow is the twin row
    private final ShadowStore shadows;
    private final PresenceStore presence;
    private final DeviceRegistry deviceRegistry;
    private final HubStore hubs;
    private final EnrollmentStore enrollments;
    // migration V5
    private final JdbcSessionDirectory sessions;
    // cluster tables (migration V6)
    private final NodeStore nodes;
    private final NodeInbox nodeInbox;
    private final ConsoleSessionStore consoleSessions;
    private final SharedSecrets sharedSecrets;
    private final OperatorStore operators;

    /** The connections and statement caches, for this package's tests. */
    Db db() {
        return db;
    }

    private JdbcStore(Db db) {
        this.db = db;
        this.certificates = new JdbcCertificateStore(db);
        this.stations = new JdbcStationStore(db);
        this.crls = new JdbcCrlStateStore(db);
        this.audit = new JdbcAuditLog(db);
        this.ledger = new JdbcLedger(db);
        this.telemetry = new JdbcTelemetryStore(db);
        this.cloudToDevice = new JdbcC2dQueue(db);
        this.shadows = new JdbcShadowStore(db);
        this.twins = new JdbcTwinStore(db, shadows);
        this.presence = new JdbcPresenceStore(db);
        this.deviceRegistry = new JdbcDeviceRegistry(db);
        this.hubs = new JdbcHubStore(db);
        this.enrollments = new JdbcEnrollmentStore(db);
        this.sessions = new JdbcSessionDirectory(db);
        this.nodes = new JdbcNodeStore(db);
        this.nodeInbox = new JdbcNodeInbox(db);
        this.consoleSessions = new JdbcConsoleSessionStore(db);
        this.sharedSecrets = new JdbcSharedSecrets(db);
        this.operators = new JdbcOperatorStore(db);
    }

    /**
     * Opens a store on {@code jdbc:sqlite:FILE} or {@code jdbc:postgresql://...} and migrates it.
     *
     * @param user ignored for SQLite
     * @param password ignored for SQLite
     * @throws IllegalArgumentException for any other URL
     * @throws StoreException when the database cannot be reached or migrated
     */
    public static JdbcStore open(String jdbcUrl, String user, String password) {
        return switch (Dialect.ofUrl(jdbcUrl)) {
            case SQLITE -> openSqlite(jdbcUrl);
            case POSTGRESQL -> openPostgres(jdbcUrl, user, password);
        };
    }

    /** Opens (creating if needed) an SQLite store in {@code file}, creating missing parent folders. */
    public static JdbcStore sqlite(Path file) {
        Path abs = file.toAbsolutePath();
        try {
            Files.createDirectories(abs.getParent());
        } catch (IOException e) {
            throw new StoreException("cannot create the folder of " + abs, e);
        }
        return openSqlite("jdbc:sqlite:" + abs);
    }

    private static JdbcStore openSqlite(String url) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // FULL: the WAL is fsynced at every commit, so a committed batch survives power loss,
        // not just a process crash (NORMAL would only sync at checkpoints). Group commit keeps
        // this to one fsync per batch.
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MS);
        config.enforceForeignKeys(true);
        SQLiteDataSource source = new SQLiteDataSource(config);
        source.setUrl(url);
        HikariConfig hikari = new HikariConfig();
        hikari.setDataSource(source);
        hikari.setPoolName("imprint-store-sqlite-readers");
        hikari.setMaximumPoolSize(4);
        hikari.setMinimumIdle(1);
        HikariDataSource pool = start(hikari, url);
        Connection writer = null;
        try {
            migrate(pool, Dialect.SQLITE);
            writer = source.getConnection();
            return new JdbcStore(new Db(Dialect.SQLITE, pool, writer));
        } catch (SQLException | RuntimeException e) {
            pool.close();
            closeQuietly(writer);
            throw e instanceof StoreException s ? s : new StoreException("cannot open the SQLite store " + url, e);
        }
    }

    private static JdbcStore openPostgres(String url, String user, String password) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(url);
        hikari.setUsername(user);
        hikari.setPassword(password);
        hikari.setPoolName("imprint-store-postgresql");
        hikari.setMaximumPoolSize(10);
        // one multi-row INSERT per batch instead of one statement per row
        hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
        HikariDataSource pool = start(hikari, url);
        try {
            migrate(pool, Dialect.POSTGRESQL);
            return new JdbcStore(new Db(Dialect.POSTGRESQL, pool, null));
        } catch (RuntimeException e) {
            pool.close();
            throw e instanceof StoreException s ? s : new StoreException("cannot open the PostgreSQL store " + url, e);
        }
    }

    private static HikariDataSource start(HikariConfig config, String url) {
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("cannot connect to " + url + ": " + e.getMessage(), e);
        }
    }

    private static void migrate(HikariDataSource pool, Dialect dialect) {
        try {
            Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/migration/" + dialect.name)
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            throw new StoreException("migrating the " + dialect.name + " store failed: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already failing; the original error is what matters
            }
        }
    }

    @Override
    public CertificateStore certificates() {
        return certificates;
    }

    @Override
    public StationStore stations() {
        return stations;
    }

    @Override
    public CrlStateStore crls() {
        return crls;
    }

    @Override
    public AuditLog audit() {
        return audit;
    }

    @Override
    public Ledger ledger() {
        return ledger;
    }

    @Override
    public TelemetryStore telemetry() {
        return telemetry;
    }

    @Override
    public C2dQueue cloudToDevice() {
        return cloudToDevice;
    }

    @Override
    public TwinStore twins() {
        return twins;
    }

    @Override
    public ShadowStore shadows() {
        return shadows;
    }

    @Override
    public PresenceStore presence() {
        return presence;
    }

    @Override
    public DeviceRegistry deviceRegistry() {
        return deviceRegistry;
    }

    @Override
    public HubStore hubs() {
        return hubs;
    }

    @Override
    public EnrollmentStore enrollments() {
        return enrollments;
    }

    @Override
    public DeviceEvents deviceEvents() {
        return db.events;
    }

    @Override
    public SessionDirectory sessions() {
        return sessions;
    }

    @Override
    public NodeStore nodes() {
        return nodes;
    }

    @Override
    public NodeInbox nodeInbox() {
        return nodeInbox;
    }

    @Override
    public ConsoleSessionStore consoleSessions() {
        return consoleSessions;
    }

    @Override
    public OperatorStore operators() {
        return operators;
    }

    @Override
    public SharedSecrets sharedSecrets() {
        return sharedSecrets;
    }

    @Override
    public String dialect() {
        return db.dialect.name;
    }

    @Override
    public void close() {
        sessions.close();
        db.close();
    }
}
