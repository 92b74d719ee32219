package dev.imprint.ca.station;

import dev.imprint.ca.CaException;
import dev.imprint.ca.CaException.Reason;
import dev.imprint.ca.Credential;
import dev.imprint.ca.issuance.DeviceIds;
import dev.imprint.ca.issuance.Json;
import dev.imprint.ca.issuance.Serials;
import dev.imprint.ca.issuance.ServiceIssuer;
import dev.imprint.ca.revocation.Revocations;
import dev.imprint.store.AuditLog;
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
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StoreStations.class);
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
        String serial = Serials.hex(cred.certificate().getSerialNumber());
        try {
            store.stations().create(new StationRecord(name, idRegex, quota, ratePerSecond, 0, serial, false, Instant.now()),
                    new AuditLog.Entry("station.created", actor, name, "{\"ids\":" + Json.quote(idRegex) + ",\"quota\":"
                            + quota + ",\"rate\":" + ratePerSecond + ",\"serial\":\"" + serial + "\"}"));
        } catch (StoreException e) {
            throw new CaException(Reason.STATION_EXISTS, "station " + name + " exists", e);
        }
        policy.invalidate(name);
        return cred;
    }

    /**
     * Finishes station revocations a crash interrupted: a revoked station whose certificate is
     * still unrevoked (the station and its certificate commit in two transactions) gets its
     * certificate revoked now, audited as usual. Idempotent; run when the CA opens.
     *
     * @return how many certificates it revoked
     */
    public synchronized int finishInterruptedRevocations() {
        int done = 0;
        for (StationRecord r : store.stations().list()) {
            if (!r.revoked() || r.certSerial() == null) {
                continue;
            }
            var cert = store.certificates().findBySerial(r.certSerial());
            if (cert.isPresent() && !cert.get().revoked()) {
                revocations.revokeRecord(cert.get(), 5 /* cessationOfOperation */, "ca:repair");
                revocations.published(cert.get().ca());
                LOG.warn("event=station.revocation_finished station={} serial={} reason=INTERRUPTED_REVOCATION", r.name(), r.certSerial());
                done++;
            }
        }
        return done;
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
        // the station first (with its audit entry): from that commit on it obtains nothing; its
        // certificate's revocation is a second transaction with its own entry
        store.stations().revoke(name, new AuditLog.Entry("station.revoked", actor, name,
                "{\"serial\":" + Json.quote(r.certSerial()) + "}"));
        policy.invalidate(name);
        if (r.certSerial() != null) {
            store.certificates().findBySerial(r.certSerial()).ifPresent(c -> {
                revocations.revokeRecord(c, 5 /* cessationOfOperation */, actor);
                revocations.published(c.ca());
            });
        }
    }
}
