package dev.imprint.cluster;

import dev.imprint.store.JdbcStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

/**
 * A real PostgreSQL for the cluster tests, started once per test class; each test gets a fresh
 * database. Each simulated node opens its own store on it, as separate processes would.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class ClusterPostgres {
    private static EmbeddedPostgres pg;
    private static final AtomicInteger databases = new AtomicInteger();
    private final List<AutoCloseable> opened = new ArrayList<>();
    protected String database;

    @BeforeAll
    static void startServer() throws Exception {
        pg = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @BeforeEach
    void createDatabase() throws SQLException {
        database = "cluster_" + databases.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        opened.clear();
    }

    /** Closed after the test, last opened first. */
    protected <T extends AutoCloseable> T closing(T c) {
        opened.add(c);
        return c;
    }

    /** A store of its own, as one node's process would open. */
    protected JdbcStore store() {
        return closing(JdbcStore.open(url(), "postgres", "postgres"));
    }

    protected ClusterDatabase clusterDatabase() {
        return new ClusterDatabase(url(), "postgres", "postgres");
    }

    private String url() {
        return pg.getJdbcUrl("postgres", database);
    }

    /** Ends the backends named {@code imprint <purpose>} from another connection, as a network cut or a DBA would; returns how many. */
    protected int terminate(String purpose) throws SQLException {
        try (Connection c = pg.getDatabase("postgres", database).getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?")) {
            ps.setString(1, "imprint " + purpose);
            try (ResultSet rs = ps.executeQuery()) {
                int n = 0;
                while (rs.next()) {
                    n += rs.getBoolean(1) ? 1 : 0;
                }
                return n;
            }
        }
    }

    /** Runs one statement on the test's database from a connection of its own, as a DBA would. */
    protected void sql(String statement) throws SQLException {
        try (Connection c = pg.getDatabase("postgres", database).getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    /** The database's clock. */
    protected java.time.Instant dbNow() throws SQLException {
        try (Connection c = pg.getDatabase("postgres", database).getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)")) {
            rs.next();
            return java.time.Instant.ofEpochMilli(rs.getLong(1));
        }
    }

    /** Backend pids of the connections named {@code imprint <purpose>}. */
    protected List<Integer> backends(String purpose) throws SQLException {
        try (Connection c = pg.getDatabase("postgres", database).getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT pid FROM pg_stat_activity WHERE application_name = ?")) {
            ps.setString(1, "imprint " + purpose);
            try (ResultSet rs = ps.executeQuery()) {
                List<Integer> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getInt(1));
                }
                return out;
            }
        }
    }

    /** Prints a measured figure the way the store prints its [throughput] lines. */
    protected static void figure(String line) {
        System.out.println("[cluster] " + line);
    }

    /** p-th percentile (0..100) of measured nanoseconds, in milliseconds. */
    protected static double percentileMs(List<Long> nanos, double p) {
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1))) / 1e6;
    }
}
