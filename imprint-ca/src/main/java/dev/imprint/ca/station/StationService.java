package dev.imprint.ca.station;

import dev.imprint.ca.Credential;
import dev.imprint.store.StationRecord;
import java.util.List;
import java.util.Optional;

/**
 * Factory programming stations: each authenticates to EST with a certificate from the service
 * CA carrying SAN URI {@code urn:imprint:station:NAME}; the CA enforces its ID pattern, quota
 * and rate. Every change is appended to the audit log.
 */
public interface StationService {

    /**
     * Creates a station and issues its certificate (key generated here, EC P-256).
     *
     * @param name letters, digits, '.', '_' and '-' (1-64)
     * @param idRegex Java regular expression the requested device IDs must match in full
     * @param quota most certificates it may ever obtain (0 = unlimited)
     * @param ratePerSecond most issuances per second (0 = unlimited)
     * @param actor who asked, for the audit log
     * @throws dev.imprint.ca.CaException BAD_REQUEST for a bad name or regex, STATION_EXISTS
     */
    Credential create(String name, String idRegex, long quota, int ratePerSecond, String actor);

    List<StationRecord> list();

    Optional<StationRecord> find(String name);

    /**
     * Revokes the station and its certificate; it obtains nothing from now on.
     *
     * @throws dev.imprint.ca.CaException STATION_UNKNOWN
     */
    void revoke(String name, String actor);
}
