package dev.imprint.bench.hub;

import dev.imprint.store.JdbcStore;
import dev.imprint.store.TelemetryRecord;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * PostgreSQL WAL written per telemetry message by the store ({@code appendAll} in batches as the
 * hub's writer makes them), read from {@code pg_current_wal_lsn()} before and after. Bodies are
 * 108 random bytes each (telemetry that compresses would flatter the large runs, which
 * PostgreSQL compresses when it moves them out of line).
 *
 * <p>{@code TelemetryWalBench JDBC_URL DEVICES BATCH BATCHES} (user and password {@code postgres};
 * an empty database: the store migrates it).
 */
public final class TelemetryWalBench {
    private TelemetryWalBench() {}

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int devices = Integer.parseInt(args[1]);
        int batch = Integer.parseInt(args[2]);
        int batches = Integer.parseInt(args[3]);
        Random random = new Random(1);
        try (JdbcStore store = JdbcStore.open(url, "postgres", "postgres");
                Connection c = DriverManager.getConnection(url, "postgres", "postgres")) {
            long n = 0;
            long before = lsn(c);
            for (int b = 0; b < batches; b++) {
                List<TelemetryRecord> records = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) {
                    byte[] body = new byte[108];
                    random.nextBytes(body);
                    records.add(new TelemetryRecord(0, "dev-" + (n++ % devices), "hub-1", Instant.now(), "{}", body));
                }
                store.telemetry().appendAll(records);
            }
            System.out.printf("devices %d, batches of %d: %.1f bytes of WAL per message (%d messages)%n", devices, batch,
                    (lsn(c) - before) / (double) n, n);
        }
    }

    private static long lsn(Connection c) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
