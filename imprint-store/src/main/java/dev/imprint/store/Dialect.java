package dev.imprint.store;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** The few places where SQLite and PostgreSQL differ at run time (DDL differences live in migrations). */
enum Dialect {
    SQLITE("sqlite", ""),
    POSTGRESQL("postgresql", " FOR UPDATE");

    final String name;
    /** Suffix that locks the selected rows until commit (SQLite locks the whole file instead). */
    final String forUpdate;

    Dialect(String name, String forUpdate) {
        this.name = name;
        this.forUpdate = forUpdate;
    }

    static Dialect ofUrl(String jdbcUrl) {
        if (jdbcUrl != null && jdbcUrl.startsWith("jdbc:sqlite:")) {
            return SQLITE;
        }
        if (jdbcUrl != null && jdbcUrl.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException("unsupported JDBC URL (expected jdbc:sqlite: or jdbc:postgresql:): " + jdbcUrl);
    }

    /** True when the error (or one chained to it) is a primary-key or unique violation. */
    static boolean isUniqueViolation(Throwable e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 32; depth++, t = next(t)) {
            if (t instanceof SQLiteException s) {
                SQLiteErrorCode code = s.getResultCode();
                if (code == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY || code == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE) {
                    return true;
                }
            } else if (t instanceof SQLException s && "23505".equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static Throwable next(Throwable t) {
        if (t instanceof BatchUpdateException b && b.getNextException() != null && b.getNextException() != t) {
            return b.getNextException();
        }
        if (t instanceof SQLException s && s.getNextException() != null && s.getNextException() != t) {
            return s.getNextException();
        }
        return t.getCause() == t ? null : t.getCause();
    }
}
