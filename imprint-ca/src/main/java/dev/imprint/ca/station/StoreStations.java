package dev.imprint.ca.station;

import dev.imprint.ca.CaException;
import dev.imprint.ca.CaException.Reason;
import dev.imprint.ca.Credential;
import dev.imprint.ca.issuance.DeviceIds;
import dev.imprint.ca.issuance.Json;
import dev.imprint.ca.issuance.Serials;
import dev.imprint.ca.issuance.ServiceIssuer;
import dev.imprint.ca.revocation.Revocations;
import dev.imprint.store.StationRecord;
import dev.imprint.store.Store;
import dev.imprint.store.StoreException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Stations kept in the store; each change is audited. */
public final class StoreStations implements StationService {
    private final Store store;
    private final ServiceIssuer issuer;
    private final StationPolicy policy;
    private final Revocations revocations;

    public StoreStations(Store store, ServiceIssuer issuer, StationPolicy policy, Revocations revocations) {
        this.store = store;
        this.issuer = issuer;
        this.policy = policy;
        this.revocations = revocations;
    }

    @Override
    public synchronized Credential create(String name, String idRegex, long quota, int ratePerSecond, String actor) {
        if (!DeviceIds.validName(name)) {
            throw new CaException(Reason.BAD_REQUEST, "station names are 1-64 of letters, digits, '.', '_', '-'");
        }
        try {
            Pattern.compile(idRegex);
        } catch (PatternSyntaxException | NullPointerException e) {
            throw new CaException(Reason.BAD_REQUEST, "not a regular expression: " + idRegex);
        }
        if (quota < 0 || ratePerSecond < 0) {
            throw new CaException(Reason.BAD_REQUEST, "quota and rate must not be negative");
        }
        if (store.stations().find(name).isPresent()) {
            throw new CaException(Reason.STATION_EXISTS, "station " + name + " exists");
        }
        Credential cred = issuer.station(name, actor);
        try {
            store.stations().create(new StationRecord(name, idRegex, quota, ratePerSecond, 0,
                    Serials.hex(cred.certificate().getSerialNumber()), false, Instant.now()));
        } catch (StoreException e) {
            throw new CaException(Reason.STATION_EXISTS, "station " + name + " exists", e);
        }
        policy.invalidate(name);
        store.audit().append("station.created", actor, name, "{\"ids\":" + Json.quote(idRegex) + ",\"quota\":" + quota
                + ",\"rate\":" + ratePerSecond + ",\"serial\":\"" + Serials.hex(cred.certificate().getSerialNumber()) + "\"}");
        return cred;
    }

    @Override
    public List<StationRecord> list() {
        return store.stations().list();
    }

    @Override
    public Optional<StationRecord> find(String name) {
        return store.stations().find(name);
    }

    @Override
    public synchronized void revoke(String name, String actor) {
        StationRecord r = store.stations().find(name)
                .orElseThrow(() -> new CaException(Reason.STATION_UNKNOWN, "no station named " + name));
        store.stations().revoke(name);
        policy.invalidate(name);
        if (r.certSerial() != null) {
            store.certificates().findBySerial(r.certSerial()).ifPresent(c -> {
                revocations.revokeRecord(c, 5 /* cessationOfOperation */, actor);
                revocations.published(c.ca());
            });
        }
        store.audit().append("station.revoked", actor, name, "{\"serial\":" + Json.quote(r.certSerial()) + "}");
    }
}
