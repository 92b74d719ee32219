package dev.imprint.store;

import dev.imprint.testkit.TestPostgres;
import org.junit.jupiter.api.extension.RegisterExtension;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store contract on a real PostgreSQL server started for this class; one fresh database per
 * test, copied from a database the store migrated once before the first test, so each test
 * does not run the whole migration history again: about 0.4 s per test, most of this class's time.
 */
class PostgresStoreIT extends StoreContractTest implements HubStoreContract, ShadowStoreContract {
    @Override
    public Store shadowStore() {
        return store;
    }

    @Override
    public Store hubStore() {
        return store;
    }

    @RegisterExtension
    static final TestPostgres pg = new TestPostgres();
    /** Migrated by the store and closed again; every test's database is a copy of it. */
    private static String migrated;
    private String database;

    @BeforeAll
    static void migrateOnce() throws SQLException {
        migrated = pg.createDatabase("contract_migrated");
        JdbcStore.open(pg.jdbcUrl(migrated), "postgres", "postgres").close();
    }

    @Override
    public String[] emptyDatabase() throws SQLException {
        return new String[] {pg.jdbcUrl(pg.createDatabase("empty")), "postgres", "postgres"};
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
        database = pg.createDatabaseFrom(migrated, "contract");
    }

    @Override
    protected Store open() {
        return JdbcStore.open(pg.jdbcUrl(database), "postgres", "postgres");
    }

    @Override
    protected String[] jdbcCoordinates() {
        return new String[] {pg.jdbcUrl(database), "postgres", "postgres"};
    }

    @Override
    protected Connection rawConnection() throws SQLException {
        return pg.connect(database);
    }
}
