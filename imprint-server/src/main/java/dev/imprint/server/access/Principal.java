package dev.imprint.server.access;

import java.util.Set;

/**
 * Who makes a request: the authenticated identity ({@code admin:NAME} for the credential
 * {@code imprint up} writes, {@code operator:NAME} for an account's), the account it maps to,
 * its role and, for a factory account, its stations.
 */
public record Principal(String actor, String name, Role role, Set<String> stations) {
    public Principal {
        stations = Set.copyOf(stations);
    }

    /** Whether this principal may see the station {@code name}. */
    public boolean seesStation(String station) {
        return !role.stationScoped() || stations.contains(station);
    }
}
