package dev.imprint.dps;

import dev.imprint.store.JdbcStore;
import dev.imprint.store.Store;

/** Two provisioning nodes on one SQLite file (two stores on it, as two processes would open). */
class DpsNodesSqliteIT extends DpsNodesContract {
    @Override
    protected Store openStore() {
        return JdbcStore.sqlite(dir.resolve("imprint.db"));
    }
}
