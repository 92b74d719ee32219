package dev.imprint.ca.ledger;

import dev.imprint.ca.CaException;
import dev.imprint.ca.CaException.Reason;
import dev.imprint.ca.est.PeerAuthenticator;
import dev.imprint.ca.issuance.DeviceIds;
import dev.imprint.store.AuditLog;
import dev.imprint.store.CertificateRecord;
import dev.imprint.store.LedgerEntry;
import dev.imprint.store.Store;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** {@link LedgerService} over the store; the station is authenticated by the same validator as EST. */
public final class StoreLedger implements LedgerService {
    /** Most confirmations in one request: bounds the transaction and the request body. */
    public static final int MAX_BATCH = 1_000;

    private final Store store;
    private final PeerAuthenticator peers;

    public StoreLedger(Store store, PeerAuthenticator peers) {
        this.store = store;
        this.peers = peers;
    }

    @Override
    public List<LedgerEntry> confirm(List<X509Certificate> peerChain, String batch, List<Confirmation> confirmations) {
        String station = peers.station(peerChain);
        if (!DeviceIds.validName(batch)) {
            throw new CaException(Reason.BAD_REQUEST, "batch name must be 1-64 letters, digits, '.', '_' or '-'");
        }
        if (confirmations == null || confirmations.isEmpty() || confirmations.size() > MAX_BATCH) {
            throw new CaException(Reason.BAD_REQUEST, "between 1 and " + MAX_BATCH + " confirmations per request");
        }
        String requestedBy = "station:" + station;
        Instant now = Instant.now();
        List<LedgerEntry> entries = new ArrayList<>(confirmations.size());
        for (Confirmation c : confirmations) {
            if (c == null || c.serialHex() == null || c.deviceId() == null || c.provisionedAt() == null) {
                throw new CaException(Reason.BAD_REQUEST, "each confirmation needs deviceId, serial and provisionedAt");
            }
            String serial = c.serialHex().toLowerCase(Locale.ROOT);
            CertificateRecord r = store.certificates().findBySerial(serial)
                    .orElseThrow(() -> new CaException(Reason.NOT_FOUND, "no certificate with serial " + serial));
            // only what this station obtained, for the ID it carries: a station cannot ledger others' devices
            if (!requestedBy.equals(r.requestedBy()) || !r.deviceId().equals(c.deviceId())) {
                throw new CaException(Reason.IDENTITY_MISMATCH, "certificate " + serial + " was not issued to station "
                        + station + " for device " + c.deviceId());
            }
            if (r.revoked()) {
                throw new CaException(Reason.IDENTITY_MISMATCH, "certificate " + serial + " is revoked");
            }
            entries.add(new LedgerEntry(serial, r.deviceId(), r.keyFingerprint(), station, batch, c.provisionedAt(), now));
        }
        store.ledger().recordAll(entries, added -> new AuditLog.Entry("ledger.record", requestedBy, batch, "{\"added\":" + added + "}"));
        return entries;
    }

    @Override
    public Optional<byte[]> stationCertificate(List<X509Certificate> peerChain, String deviceId) {
        String requestedBy = "station:" + peers.station(peerChain);
        return store.certificates().findByDevice(deviceId).stream()
                .filter(r -> requestedBy.equals(r.requestedBy()) && !r.revoked())
                .findFirst()
                .map(CertificateRecord::der);
    }

    @Override
    public List<LedgerEntry> list(String batch, String station, int limit, int offset) {
        return store.ledger().list(batch, station, limit, offset);
    }

    @Override
    public long count(String batch, String station) {
        return store.ledger().count(batch, station);
    }
}
