package dev.imprint.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store contract on an SQLite file in a temporary folder: each test's file a copy of one the
 * store migrated before the first test (so each test does not run the whole migration history
 * again, fsync by fsync).
 */
class SqliteStoreTest extends StoreContractTest implements HubStoreContract, ShadowStoreContract {
    @Override
    public Store shadowStore() {
        return store;
    }

    @Override
    public Store hubStore() {
        return store;
    }

    @TempDir
    Path dir;

    /** Holds the file the store migrated and closed again; every test's file is a copy of it. */
    @TempDir
    static Path migrated;

    private Path file;

    @BeforeAll
    static void migrateOnce() {
        // in a folder not made yet: the store makes it, as for a new data folder
        JdbcStore.sqlite(migrated.resolve("data/imprint.db")).close();
    }

    @Override
    public String[] emptyDatabase() {
        return new String[] {"jdbc:sqlite:" + dir.resolve("empty-" + System.nanoTime() + ".db"), "", ""};
    }

    @Test
    void database_file_is_in_wal_mode() throws SQLException {
        try (Connection c = rawConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("wal");
        }
    }

    @Test
    void an_upgraded_data_folder_keeps_its_admin_credential_as_the_first_admin_account() throws Exception {
        Path old = dir.resolve("old/imprint.db");
        java.nio.file.Files.createDirectories(old.getParent());
        org.flywaydb.core.Flyway.configure().dataSource("jdbc:sqlite:" + old, "", "").locations("classpath:db/migration/sqlite")
                .target("8").load().migrate();
        try (Store upgraded = JdbcStore.sqlite(old)) {
            OperatorRecord admin = upgraded.operators().find("admin").orElseThrow();
            assertThat(admin.role()).isEqualTo("admin");
            assertThat(admin.createdAt()).isAfter(java.time.Instant.parse("2020-01-01T00:00:00Z"));
        }
    }

    @Test
    void a_shared_secret_survives_a_restart() {
        byte[] made = store.sharedSecrets().secret("restart.key", () -> new byte[] {4, 2});
        // the same data folder opened again, as after a restart (or by a second process)
        try (Store again = open()) {
            assertThat(again.sharedSecrets().secret("restart.key", () -> new byte[] {6, 6})).isEqualTo(made);
        }
    }

    @Test
    void the_writer_reuses_a_cached_statement_and_prepares_a_failed_one_afresh() {
        Db db = ((JdbcStore) store).db();
        List<PreparedStatement> used = new ArrayList<>();
        Db.Query<Integer> selectsSeven = ps -> {
            used.add(ps);
            ps.setInt(1, 7);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        };
        assertThat(db.<Integer>write("first", c -> db.inWrite(c, "SELECT ?", selectsSeven))).isEqualTo(7);
        assertThat(db.<Integer>write("second", c -> db.inWrite(c, "SELECT ?", selectsSeven))).isEqualTo(7);
        assertThat(used.get(1)).isSameAs(used.get(0));

        assertThatThrownBy(() -> db.write("failing", c -> db.inWrite(c, "SELECT ?", ps -> {
            used.add(ps);
            throw new SQLException("the run failed");
        }))).isInstanceOf(StoreException.class).hasMessageContaining("the run failed");
        assertThat(isClosed(used.get(2))).isTrue();

        assertThat(db.<Integer>write("after", c -> db.inWrite(c, "SELECT ?", selectsSeven))).isEqualTo(7);
        assertThat(used.get(3)).isNotSameAs(used.get(2));
    }

    @Test
    void a_reader_prepares_a_cached_statement_whose_run_failed_afresh() {
        Db db = ((JdbcStore) store).db();
        List<PreparedStatement> used = new ArrayList<>();
        assertThatThrownBy(() -> db.readCached("failing", "SELECT 1", ps -> {
            used.add(ps);
            throw new IllegalStateException("the run failed");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(isClosed(used.get(0))).isTrue();

        assertThat(db.<Integer>readCached("after", "SELECT 1", ps -> {
            used.add(ps);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        })).isEqualTo(1);
        assertThat(used.get(1)).isNotSameAs(used.get(0));
    }

    private static boolean isClosed(PreparedStatement ps) {
        try {
            return ps.isClosed();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void open_rejects_other_databases() {
        assertThatThrownBy(() -> JdbcStore.open("jdbc:mysql://localhost/imprint", "u", "p"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Override
    protected void createDatabase() throws IOException {
        file = dir.resolve("data/imprint.db");
        Files.createDirectories(file.getParent());
        // the store closed cleanly, so its WAL is checkpointed; a WAL left behind is copied with it
        try (Stream<Path> left = Files.list(migrated.resolve("data"))) {
            for (Path f : left.filter(f -> !f.getFileName().toString().endsWith("-shm")).toList()) {
                Files.copy(f, file.resolveSibling(f.getFileName()));
            }
        }
    }

    @Override
    protected Store open() {
        return JdbcStore.sqlite(file);
    }

    @Override
    protected String[] jdbcCoordinates() {
        return new String[] {"jdbc:sqlite:" + file, "", ""};
    }

    @Override
    protected Connection rawConnection() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }
}
