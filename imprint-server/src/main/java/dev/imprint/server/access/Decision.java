package dev.imprint.server.access;

/** The outcome of {@link Access#decide}: allowed by a rule, or refused with a reason code. */
public sealed interface Decision {
    record Allowed(RoutePermissions.Rule rule) implements Decision {}

    record Refused(Reason reason, String message) implements Decision {}

    /** Why a request was refused; the name is the wire code (HTTP 403 each). */
    enum Reason {
        /** The role lacks the route's permission. */
        ROLE_FORBIDDEN,
        /** A factory account asked about a station not named on it (or named none). */
        STATION_FORBIDDEN,
        /** No row of {@link RoutePermissions#TABLE} covers the request: refused until one does. */
        ROUTE_NOT_MAPPED,
        /** The certificate names an operator account that does not exist. */
        OPERATOR_UNKNOWN,
        /** The certificate names a revoked operator account. */
        OPERATOR_REVOKED
    }
}
