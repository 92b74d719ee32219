package dev.imprint.server.access;

import dev.imprint.ca.Authority;
import dev.imprint.ca.Credential;
import dev.imprint.store.AuditLog;
import dev.imprint.store.OperatorRecord;
import dev.imprint.store.StationRecord;
import dev.imprint.store.Store;
import dev.imprint.store.StoreException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Operator accounts: creating one issues its client certificate from the service CA
 * ({@code urn:imprint:operator:NAME}) and records the account with its role; revoking one
 * revokes that certificate and marks the account, so it is refused on its next request on every
 * admin node. Each change is audited under the acting operator. Reads and writes the store: call
 * off the event loop.
 */
public final class OperatorAccounts {
    /** RFC 5280 reason cessationOfOperation: the person no longer operates Imprint. */
    private static final int CESSATION_OF_OPERATION = 5;

    private final Authority authority;
    private final Store store;

    public OperatorAccounts(Authority authority, Store store) {
        this.authority = authority;
        this.store = store;
    }

    /**
     * Creates an account and returns its credential (the only copy of the key).
     *
     * @param stations the stations of a factory account (at least one, each existing); none for the other roles
     * @throws IllegalArgumentException for an unknown role or a station list that does not fit the role
     * @throws AccessException OPERATOR_EXISTS (409) when the name is taken, also by a revoked account
     */
    public Credential add(String name, String roleName, List<String> stations, String actor) {
        Role role = Role.parse(roleName).orElseThrow(() -> new IllegalArgumentException(
                "unknown role '" + roleName + "'; one of " + Role.names()));
        if (role.stationScoped() && stations.isEmpty()) {
            throw new IllegalArgumentException("a factory account needs the stations it may see (--station NAME, repeatable)");
        }
        if (!role.stationScoped() && !stations.isEmpty()) {
            throw new IllegalArgumentException("only factory accounts are limited to stations; role " + role.wire() + " sees all");
        }
        Set<String> known = authority.stations().list().stream().map(StationRecord::name).collect(Collectors.toSet());
        for (String s : stations) {
            if (!known.contains(s)) {
                throw new IllegalArgumentException("no station named " + s + " (imprint station list)");
            }
        }
        if (store.operators().find(name).isPresent()) {
            throw exists(name);
        }
        Credential c = authority.issueOperatorCredential(name, actor);
        String serial = c.certificate().getSerialNumber().toString(16);
        OperatorRecord o = new OperatorRecord(name, role.wire(), stations, serial, Instant.now(), actor, null);
        try {
            store.operators().create(o, new AuditLog.Entry("operator.created", actor, name, "{\"role\":\"" + role.wire()
                    + "\",\"stations\":" + json(stations) + ",\"serial\":\"" + serial + "\"}"));
        } catch (StoreException e) {
            // lost a race for the name: the certificate just issued must not stay usable
            authority.revocation().revoke(serial, CESSATION_OF_OPERATION, actor);
            throw exists(name);
        }
        return c;
    }

    public List<OperatorRecord> list() {
        return store.operators().list();
    }

    /**
     * Revokes an account and its certificate.
     *
     * @throws AccessException OPERATOR_UNKNOWN (404) for no live account of that name,
     *     OPERATOR_SELF (409) when {@code actor} is that account
     */
    public OperatorRecord revoke(String name, String actor, String actorName) {
        OperatorRecord o = store.operators().find(name).filter(r -> !r.revoked())
                .orElseThrow(() -> new AccessException("OPERATOR_UNKNOWN", 404, "no live operator account named " + name));
        if (name.equals(actorName)) {
            throw new AccessException("OPERATOR_SELF", 409, "an operator cannot revoke their own account; ask another admin");
        }
        if (o.certSerial() != null) {
            authority.revocation().revoke(o.certSerial(), CESSATION_OF_OPERATION, actor);
        }
        Instant now = Instant.now();
        if (!store.operators().revoke(name, now, new AuditLog.Entry("operator.revoked", actor, name,
                "{\"serial\":" + (o.certSerial() == null ? "null" : "\"" + o.certSerial() + "\"") + "}"))) {
            throw new AccessException("OPERATOR_UNKNOWN", 404, "no live operator account named " + name);
        }
        return store.operators().find(name).orElseThrow();
    }

    private static AccessException exists(String name) {
        return new AccessException("OPERATOR_EXISTS", 409, "an operator account named " + name + " exists (names are never reused)");
    }

    private static String json(List<String> names) {
        return names.stream().map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"").collect(Collectors.joining(",", "[", "]"));
    }
}
