package dev.imprint.ca;

import dev.imprint.store.JdbcStore;
import dev.imprint.testkit.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Two CA nodes on one real PostgreSQL server (durability on, as in production); a fresh database per test. */
class SeveralCaNodesPostgresIT extends SeveralCaNodesContract {
    private static TestPostgres pg;
    private String database;

    @BeforeAll
    static void startServer() throws Exception {
        pg = TestPostgres.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    protected void createDatabase() throws Exception {
        database = pg.createDatabase("ca_nodes");
    }

    @Override
    protected JdbcStore open() {
        return JdbcStore.open(pg.jdbcUrl(database), "postgres", "postgres");
    }
}
