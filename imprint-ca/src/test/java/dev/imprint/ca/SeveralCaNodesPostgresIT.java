package dev.imprint.ca;

import dev.imprint.store.JdbcStore;
import dev.imprint.testkit.TestPostgres;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two CA nodes on one real PostgreSQL server (durability on, as in production); a fresh database per test. */
class SeveralCaNodesPostgresIT extends SeveralCaNodesContract {
    @RegisterExtension
    static final TestPostgres pg = new TestPostgres();
    private String database;

    @Override
    protected void createDatabase() throws Exception {
        database = pg.createDatabase("ca_nodes");
    }

    @Override
    protected JdbcStore open() {
        return JdbcStore.open(pg.jdbcUrl(database), "postgres", "postgres");
    }
}
