package dev.imprint.store;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Connections and transactions. Writes run in one transaction each; on SQLite they all go
 * through a single writer connection under a lock (SQLite has one writer at a time anyway,
 * and an in-process lock is cheaper than busy-waiting on the file lock). Reads use a pool.
 */
final class Db implements AutoCloseable {

    /** A unit of work on a connection. */
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    final Dialect dialect;
    /** The device event outbox: appended to inside other writes' transactions (off unless Kafka is configured). */
    final JdbcDeviceEvents events = new JdbcDeviceEvents(this);
    private final HikariDataSource pool;
    private final Connection writer; // SQLite only; null on PostgreSQL
    private final ReentrantLock writeLock = new ReentrantLock();

    /**
     * Store latency by kind of call (read, write), lock and pool waits included: what a caller
     * waits. Two meters with a histogram each (100 us .. 10 s), so dashboards can take quantiles
     * across nodes; the global registry, which {@code imprint up} adds its /metrics registry to.
     */
    private static final Timer READS = storeTimer("read");
    private static final Timer WRITES = storeTimer("write");

    private static Timer storeTimer(String kind) {
        return Timer.builder("imprint.store.operations").tag("kind", kind).description("store calls, from asking to answer")
                .publishPercentileHistogram().minimumExpectedValue(java.time.Duration.ofNanos(100_000))
                .maximumExpectedValue(java.time.Duration.ofSeconds(10)).register(Metrics.globalRegistry);
    }

    Db(Dialect dialect, HikariDataSource pool, Connection writer) {
        this.dialect = dialect;
        this.pool = pool;
        this.writer = writer;
    }

    /** Runs {@code work} in a transaction and commits; any failure rolls back everything. */
    <T> T write(String what, Work<T> work) {
        return timed(WRITES, () -> writeUntimed(what, work));
    }

    private static <T> T timed(Timer timer, java.util.function.Supplier<T> call) {
        long t0 = System.nanoTime();
        try {
            return call.get();
        } finally {
            timer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        }
    }

    private <T> T writeUntimed(String what, Work<T> work) {
        if (writer != null) {
            writeLock.lock();
            try {
                return inTransaction(writer, what, work);
            } finally {
                writeLock.unlock();
            }
        }
        try (Connection c = pool.getConnection()) {
            return inTransaction(c, what, work);
        } catch (SQLException e) {
            throw new StoreException(what + " failed: " + e.getMessage(), e);
        }
    }

    /** A query on a prepared statement whose parameters are bound by the caller. */
    interface Query<T> {
        T run(PreparedStatement ps) throws SQLException;
    }

    /**
     * Prepared statements of hot SQLite reads, per physical connection: SQLite compiles a statement
     * on every prepare (tens of microseconds), PostgreSQL's driver already caches them per connection.
     * Prepared on the unwrapped connection so that the pool does not close them on return; the
     * entries of connections the pool has retired (closed) are dropped when a new connection shows up.
     */
    private final Map<Connection, Map<String, PreparedStatement>> statements = new HashMap<>();

    /**
     * Prepared statements of the SQLite writer connection, used only under {@link #writeLock}: the
     * statements of every registration's transaction compiled once instead of on every write.
     */
    private final Map<String, PreparedStatement> writerStatements = new HashMap<>();

    /**
     * Runs one statement of a write transaction on {@code c}: on the SQLite writer its prepared form
     * is kept for the next transaction (the caller must not close it); elsewhere prepared and closed.
     */
    <T> T inWrite(Connection c, String sql, Query<T> query) throws SQLException {
        if (c != writer || !writeLock.isHeldByCurrentThread()) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                return query.run(ps);
            }
        }
        return runCached(writerStatements, c, sql, query);
    }

    /** Runs one read statement in autocommit mode, reusing its prepared form on SQLite. */
    <T> T readCached(String what, String sql, Query<T> query) {
        return timed(READS, () -> readCachedUntimed(what, sql, query));
    }

    private <T> T readCachedUntimed(String what, String sql, Query<T> query) {
        if (dialect != Dialect.SQLITE) {
            return readUntimed(what, c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    return query.run(ps);
                }
            });
        }
        try (Connection c = pool.getConnection()) {
            Connection physical = c.unwrap(Connection.class);
            return runCached(statementsOf(physical), physical, sql, query);
        } catch (SQLException e) {
            throw new StoreException(what + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code query} on {@code sql}'s statement kept in {@code cache} for {@code c}, prepared
     * on first use; a statement whose run failed is dropped and closed, since its state (an open
     * cursor, a half-bound parameter list) is unknown, and the next call prepares it afresh.
     */
    private static <T> T runCached(Map<String, PreparedStatement> cache, Connection c, String sql, Query<T> query)
            throws SQLException {
        PreparedStatement ps;
        synchronized (cache) {
            ps = cache.get(sql);
            if (ps == null || ps.isClosed()) {
                ps = c.prepareStatement(sql);
                cache.put(sql, ps);
            }
        }
        try {
            ps.clearParameters();
            return query.run(ps);
        } catch (SQLException | RuntimeException e) {
            synchronized (cache) {
                cache.remove(sql);
            }
            ps.close();
            throw e;
        }
    }

    private Map<String, PreparedStatement> statementsOf(Connection physical) throws SQLException {
        synchronized (statements) {
            Map<String, PreparedStatement> own = statements.get(physical);
            if (own == null) {
                for (var it = statements.keySet().iterator(); it.hasNext(); ) {
                    if (it.next().isClosed()) {
                        it.remove();
                    }
                }
                own = new HashMap<>();
                statements.put(physical, own);
            }
            return own;
        }
    }

    /** Maps the current row of a result set. */
    interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** All rows of one query with bound arguments, mapped. */
    <T> List<T> list(String what, String sql, Row<T> row, Object... args) {
        return read(what, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                JdbcCertificateStore.bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    List<T> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(row.map(rs));
                    }
                    return out;
                }
            }
        });
    }

    /** One update statement with bound arguments, in its own transaction; returns the row count. */
    int update(String what, String sql, Object... args) {
        return write(what, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                JdbcCertificateStore.bind(ps, args);
                return ps.executeUpdate();
            }
        });
    }

    /** Runs a read in autocommit mode. */
    <T> T read(String what, Work<T> work) {
        return timed(READS, () -> readUntimed(what, work));
    }

    private <T> T readUntimed(String what, Work<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreException(what + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Runs a read in one read transaction: a consistent snapshot, and on PostgreSQL the
     * precondition for cursor-based fetching (statements with a fetch size stream rows).
     */
    <T> T snapshot(String what, Work<T> work) {
        return timed(READS, () -> readUntimed(what, c -> inTransaction(c, what, work)));
    }

    private <T> T inTransaction(Connection c, String what, Work<T> work) {
        try {
            begin(c, c == writer);
            try {
                T result = work.run(c);
                commit(c);
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(c, e);
                throw e;
            }
        } catch (SQLException e) {
            if (Dialect.isUniqueViolation(e)) {
                throw new DuplicateKeyException(what + " failed: " + e.getMessage(), e);
            }
            throw new StoreException(what + " failed: " + e.getMessage(), e);
        }
    }

    // SQLite: explicit statements on an autocommit connection, so the driver opens no extra
    // transaction after commit; BEGIN IMMEDIATE takes the file's write lock up front, which
    // also serializes writers in other processes (they wait up to busy_timeout).
    private void begin(Connection c, boolean forWrite) throws SQLException {
        if (dialect == Dialect.SQLITE) {
            try (Statement s = c.createStatement()) {
                s.execute(forWrite ? "BEGIN IMMEDIATE" : "BEGIN");
            }
        } else {
            c.setAutoCommit(false);
        }
    }

    private void commit(Connection c) throws SQLException {
        if (dialect == Dialect.SQLITE) {
            try (Statement s = c.createStatement()) {
                s.execute("COMMIT");
            }
        } else {
            c.commit();
            c.setAutoCommit(true);
        }
    }

    private void rollbackQuietly(Connection c, Throwable cause) {
        try {
            if (dialect == Dialect.SQLITE) {
                try (Statement s = c.createStatement()) {
                    s.execute("ROLLBACK");
                }
            } else {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public void close() {
        if (writer != null) {
            writeLock.lock();
            try {
                writer.close();
            } catch (SQLException e) {
                throw new StoreException("closing the writer connection failed", e);
            } finally {
                writeLock.unlock();
            }
        }
        pool.close();
    }

    /** A unique or primary-key violation, translated by the caller into its own exception. */
    static final class DuplicateKeyException extends StoreException {
        DuplicateKeyException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
