package dev.imprint.cluster;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Where the cluster's PostgreSQL is, for the connections that must not come from a pool: the
 * LISTEN connection of the node bus and the advisory-lock connection of leadership. Both hold
 * state in the database session (subscriptions, session locks), which a pool would hand to
 * another user or a transaction pooler (PgBouncer) would lose: they connect straight to the
 * server. Rows themselves go through the store.
 *
 * @param url a {@code jdbc:postgresql:} URL (the store's)
 */
public record ClusterDatabase(String url, String user, String password) {
    /** How long opening a connection may take, in seconds, before the caller retries later. */
    private static final int CONNECT_TIMEOUT_S = 5;

    public ClusterDatabase {
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("several nodes need PostgreSQL: expected a jdbc:postgresql: URL, got " + url);
        }
    }

    /**
     * Opens a dedicated connection (autocommit), named {@code imprint <purpose>} in
     * {@code pg_stat_activity}. The caller owns and closes it.
     */
    public Connection connect(String purpose) throws SQLException {
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        String name = "imprint " + purpose;
        props.setProperty("ApplicationName", name.length() > 63 ? name.substring(0, 63) : name);
        props.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_S));
        // a peer that vanished without a FIN (cable, VM) is noticed by the kernel, not never
        props.setProperty("tcpKeepAlive", "true");
        Connection c = new org.postgresql.Driver().connect(url, props);
        if (c == null) {
            throw new SQLException("the PostgreSQL driver does not accept " + url);
        }
        return c;
    }

    @Override
    public String toString() {
        return "ClusterDatabase[url=" + url + ", user=" + user + ", password=***]";
    }
}
