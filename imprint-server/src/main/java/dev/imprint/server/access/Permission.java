package dev.imprint.server.access;

/**
 * What a route of the admin API (and of the console's API) needs. Each role holds a set of these
 * ({@link Role}); each route names one ({@link RoutePermissions}). Read permissions are marked so
 * the auditor role is "every read" by construction, not by a list kept in step by hand.
 */
public enum Permission {
    STATIONS_READ(true),
    STATIONS_MANAGE(false),
    CERTIFICATES_READ(true),
    CERTIFICATES_REVOKE(false),
    AUDIT_READ(true),
    /** Recomputing the hash chain changes nothing, so the auditor has it. */
    AUDIT_VERIFY(true),
    LEDGER_READ(true),
    DEVICES_READ(true),
    /** c2d messages, twin desired properties, direct methods. */
    DEVICES_MANAGE(false),
    ENROLLMENTS_READ(true),
    ENROLLMENTS_MANAGE(false),
    HUBS_READ(true),
    HUBS_MANAGE(false),
    OPERATORS_READ(true),
    OPERATORS_MANAGE(false),
    /** The console's overview counts. */
    OVERVIEW_READ(true),
    /** A console login link for oneself, and the console session's own details. */
    CONSOLE_LOGIN(true);

    private final boolean readOnly;

    Permission(boolean readOnly) {
        this.readOnly = readOnly;
    }

    public boolean readOnly() {
        return readOnly;
    }
}
