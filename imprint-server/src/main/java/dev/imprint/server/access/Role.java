package dev.imprint.server.access;

import static dev.imprint.server.access.Permission.*;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** An operator account's role: the permissions it holds. */
public enum Role {
    /** Everything, operator accounts included. */
    ADMIN(EnumSet.allOf(Permission.class)),
    /** Certificates, revocation, stations, audit. */
    SECURITY(EnumSet.of(STATIONS_READ, STATIONS_MANAGE, CERTIFICATES_READ, CERTIFICATES_REVOKE, AUDIT_READ, AUDIT_VERIFY,
            LEDGER_READ, OPERATORS_READ, OVERVIEW_READ, CONSOLE_LOGIN)),
    /** The fleet: devices (c2d, twins, methods), enrollments, hubs; no CA, no stations. */
    OPERATOR(EnumSet.of(DEVICES_READ, DEVICES_MANAGE, ENROLLMENTS_READ, ENROLLMENTS_MANAGE, HUBS_READ, HUBS_MANAGE,
            OVERVIEW_READ, CONSOLE_LOGIN)),
    /** Its own stations (named on the account) and their ledger, nothing else. */
    FACTORY(EnumSet.of(STATIONS_READ, LEDGER_READ, CONSOLE_LOGIN)),
    /** Every read, and verifying the audit chain; no change anywhere. */
    AUDITOR(Arrays.stream(Permission.values()).filter(Permission::readOnly)
            .collect(Collectors.toCollection(() -> EnumSet.noneOf(Permission.class))));

    private final Set<Permission> permissions;

    Role(Set<Permission> permissions) {
        this.permissions = Set.copyOf(permissions);
    }

    public boolean may(Permission p) {
        return permissions.contains(p);
    }

    public Set<Permission> permissions() {
        return permissions;
    }

    /** Whether accounts of this role see only the stations named on them. */
    public boolean stationScoped() {
        return this == FACTORY;
    }

    /** The name in the store, the API and the CLI ({@code admin}, {@code security}, ...). */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> parse(String s) {
        return Arrays.stream(values()).filter(r -> r.wire().equals(s)).findFirst();
    }

    /** {@code admin, security, operator, factory, auditor} for messages. */
    public static String names() {
        return Arrays.stream(values()).map(Role::wire).collect(Collectors.joining(", "));
    }
}
