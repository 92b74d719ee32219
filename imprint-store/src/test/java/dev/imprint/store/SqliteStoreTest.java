package dev.imprint.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on an SQLite file in a temporary folder. */
class SqliteStoreTest extends StoreContractTest {
    @TempDir
    Path dir;

    private Path file;

    @Override
    protected void createDatabase() {
        file = dir.resolve("data/imprint.db");
    }

    @Override
    protected Store open() {
        return JdbcStore.sqlite(file);
    }

    @Override
    protected Connection rawConnection() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }
}
