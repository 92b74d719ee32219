package dev.imprint.ca;

import dev.imprint.store.JdbcStore;

/** Two CA nodes on one SQLite file (two processes sharing a disk; SQLite's file lock orders their writes). */
class SeveralCaNodesSqliteTest extends SeveralCaNodesContract {
    @Override
    protected void createDatabase() {
        // the file is created by the first open
    }

    @Override
    protected JdbcStore open() {
        return JdbcStore.open("jdbc:sqlite:" + tmp.resolve("imprint.db").toAbsolutePath(), null, null);
    }
}
