package dev.imprint.ca;

import dev.imprint.ca.est.EstService;
import dev.imprint.ca.est.PeerAuthenticator;
import dev.imprint.ca.est.Rfc7030Est;
import dev.imprint.ca.hierarchy.CaHierarchy;
import dev.imprint.ca.hierarchy.FileKeyVault;
import dev.imprint.ca.hierarchy.IssuingCa;
import dev.imprint.ca.hierarchy.KeyVault;
import dev.imprint.ca.hierarchy.Pkcs11KeyVault;
import dev.imprint.ca.hierarchy.PkiFolderHierarchy;
import dev.imprint.ca.issuance.EnrollmentMethods;
import dev.imprint.ca.ledger.LedgerService;
import dev.imprint.ca.ledger.StoreLedger;
import dev.imprint.ca.issuance.IssuancePipeline;
import dev.imprint.ca.issuance.Recorder;
import dev.imprint.ca.issuance.Serials;
import dev.imprint.ca.issuance.ServiceIssuer;
import dev.imprint.ca.revocation.RevocationService;
import dev.imprint.ca.revocation.Revocations;
import dev.imprint.ca.station.StationPolicy;
import dev.imprint.ca.station.StationService;
import dev.imprint.ca.station.StoreStations;
import dev.imprint.pki.CryptoProviders;
import dev.imprint.store.AuditLog;
import dev.imprint.store.CertificateRecord;
import dev.imprint.store.CrlStateStore;
import dev.imprint.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificate authority: the CA hierarchy, the issuance pipeline, stations, revocation
 * (CRL, delta CRL, OCSP) and EST request handling, over one {@link Store}.
 *
 * <p>Device IDs travel in the subject CN and in a SAN URI {@code urn:imprint:device:ID}.
 * A certificate is durably recorded (group commit) before any method returns it.
 */
public final class Authority implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Authority.class);

    private final CaSettings settings;
    private final Store store;
    private final PkiFolderHierarchy hierarchy;
    private final Recorder recorder;
    private final StationPolicy stationPolicy;
    private final IssuancePipeline pipeline;
    private final ServiceIssuer serviceIssuer;
    private final Revocations revocations;
    private final StoreStations stations;
    private final Rfc7030Est est;
    private final LedgerService ledger;
    private final MeterRegistry meters;

    private Authority(CaSettings settings, Store store) {
        this.settings = settings;
        this.store = store;
        this.meters = settings.meterRegistry();
        CryptoProviders.install();
        KeyVault vault = settings.pkcs11() != null
                ? new Pkcs11KeyVault(settings.pkcs11())
                : new FileKeyVault(settings.pkiDir(), settings.passphrase());
        this.hierarchy = PkiFolderHierarchy.openOrCreate(settings.pkiDir(), vault);
        this.recorder = new Recorder(store, settings.meterRegistry());
        this.stationPolicy = new StationPolicy(store.stations(), settings.liveCaNodes(), System::nanoTime);
        EnrollmentMethods methods = new EnrollmentMethods(ca -> CaHierarchy.OPERATIONAL.equals(ca)
                ? settings.operationalValidity()
                : CaHierarchy.SERVICE.equals(ca) ? settings.serviceValidity() : settings.manufacturingValidity());
        this.pipeline = new IssuancePipeline(hierarchy, store.certificates(), stationPolicy, recorder, methods,
                settings.pkiBaseUrl());
        this.serviceIssuer = new ServiceIssuer(hierarchy.issuingCa(CaHierarchy.SERVICE), settings.pkiBaseUrl(), recorder,
                settings.serviceValidity());
        List<IssuingCa> cas = hierarchy.names().stream().map(hierarchy::issuingCa).toList();
        this.revocations = new Revocations(store, cas, settings.crlNextUpdate(), settings.leadership(),
                settings.expiredCertificateRetention(), settings.meterRegistry());
        if (meters != null) {
            crlAgeGauges(meters, store, hierarchy.names());
        }
        this.stations = new StoreStations(store, serviceIssuer, stationPolicy, revocations);
        stations.finishInterruptedRevocations();
        this.est = new Rfc7030Est(hierarchy, new PeerAuthenticator(hierarchy, store.certificates()), this::issueAsync);
        this.ledger = new StoreLedger(store, new PeerAuthenticator(hierarchy, store.certificates()));
    }

    /**
     * {@code imprint_crl_age_seconds{ca,kind}}: how old the CRL served now is (since its
     * thisUpdate), read from the store at each scrape (one small row per CA), so it shows a
     * publisher that stopped on any node, not only on this one. NaN while none is published.
     */
    private static void crlAgeGauges(MeterRegistry meters, Store store, java.util.Collection<String> cas) {
        for (String ca : cas) {
            for (CrlStateStore.Kind kind : CrlStateStore.Kind.values()) {
                io.micrometer.core.instrument.Gauge.builder("imprint.crl.age", store, s -> crlAge(s, ca, kind))
                        .baseUnit("seconds").tag("ca", ca).tag("kind", kind.name().toLowerCase(java.util.Locale.ROOT))
                        .description("seconds since the thisUpdate of the CRL served now").register(meters);
            }
        }
    }

    private static double crlAge(Store store, String ca, CrlStateStore.Kind kind) {
        CrlStateStore.Heads heads = store.crls().heads(ca);
        CrlStateStore.Published p = kind == CrlStateStore.Kind.FULL ? heads.full() : heads.delta();
        return p == null ? Double.NaN : (System.currentTimeMillis() - p.thisUpdate().toEpochMilli()) / 1000.0;
    }

    /**
     * Loads the hierarchy from {@code settings.pkiDir()}, or creates it on first run (root CA,
     * issuing CAs "manufacturing", "operational", "service"). A second open reuses everything.
     * Publishes fresh CRLs for every issuing CA before returning.
     *
     * @throws CaException CA_KEY_UNREADABLE when the folder is unreadable, the passphrase is
     *     wrong or the token cannot be used
     */
    public static Authority open(CaSettings settings, Store store) {
        return new Authority(settings, store);
    }

    public CaHierarchy hierarchy() {
        return hierarchy;
    }

    public CaSettings settings() {
        return settings;
    }

    /**
     * Issues a TLS server certificate for one of Imprint's endpoints from the service CA
     * (EKU serverAuth and clientAuth, key generated here, EC P-256).
     *
     * @param dnsNames SAN DNS names; @param ipAddresses SAN IP addresses (literal IPv4/IPv6)
     * @throws CaException BAD_REQUEST for an unparsable address or an empty name list
     */
    public Credential issueServerCertificate(String name, List<String> dnsNames, List<String> ipAddresses) {
        return serviceIssuer.server(name, dnsNames, ipAddresses, "init");
    }

    /** Issues an admin client credential (service CA, EKU clientAuth, SAN URI {@code urn:imprint:admin:NAME}). */
    public Credential issueAdminCredential(String name) {
        Credential c = serviceIssuer.admin(name, "init");
        store.audit().append("admin.credential", "init", name,
                "{\"serial\":\"" + Serials.hex(c.certificate().getSerialNumber()) + "\"}");
        return c;
    }

    /**
     * Issues an operator's client credential (service CA, EKU clientAuth, SAN URI
     * {@code urn:imprint:operator:NAME}); the account and its role are the caller's to record.
     *
     * @throws CaException BAD_REQUEST for a name that is not 1-64 of letters, digits, '.', '_', '-'
     */
    public Credential issueOperatorCredential(String name, String actor) {
        return serviceIssuer.operator(name, actor);
    }

    /**
     * Issues the client credential other nodes of a cluster use to call this CA node (service CA,
     * EKU clientAuth, SAN URI {@code urn:imprint:node:NAME}); it carries no admin rights.
     */
    public Credential issueNodeCredential(String name) {
        Credential c = serviceIssuer.node(name, "init");
        store.audit().append("node.credential", "init", name,
                "{\"serial\":\"" + Serials.hex(c.certificate().getSerialNumber()) + "\"}");
        return c;
    }

    public StationService stations() {
        return stations;
    }

    public EstService est() {
        return est;
    }

    /** The factory ledger: stations confirm provisioned devices; admins list and export. */
    public LedgerService ledger() {
        return ledger;
    }

    public RevocationService revocation() {
        return revocations;
    }

    /**
     * Deletes the device certificates expired before {@code now} minus the retention, for the
     * CAs whose CRLs this node publishes (the CA does it every minute on its own).
     *
     * @return the rows deleted
     */
    public long pruneExpiredCertificates(java.time.Instant now) {
        return revocations.pruneExpired(now);
    }

    /** A page of issued certificates, newest first; {@code deviceIdOrNull} null means all. */
    public List<CertificateRecord> certificates(String deviceIdOrNull, int limit, int offset) {
        return store.certificates().list(deviceIdOrNull, limit, offset);
    }

    /**
     * Issues one certificate and returns it once durably recorded. Blocks the caller until the
     * group commit that carries it; prefer {@link #issueAsync} when many run at once.
     *
     * @throws CaException with the refusal's reason code; nothing is issued then
     */
    public IssuedCertificate issue(IssuanceRequest request) {
        try {
            return issueAsync(request).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof CaException ce ? ce : new CaException(CaException.Reason.INTERNAL_ERROR, e.getMessage(), e);
        }
    }

    /**
     * Checks, builds and signs on the calling thread, then completes when the certificate is
     * durably recorded. Refusals complete the future exceptionally with a {@link CaException}.
     */
    public CompletableFuture<IssuedCertificate> issueAsync(IssuanceRequest request) {
        CompletableFuture<IssuedCertificate> f;
        try {
            f = pipeline.issue(request);
        } catch (CaException e) {
            count(e);
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            CaException ce = new CaException(CaException.Reason.INTERNAL_ERROR, "issuance failed: " + e, e);
            count(ce);
            return CompletableFuture.failedFuture(ce);
        }
        if (meters != null) {
            f.whenComplete((c, e) -> {
                if (e == null) {
                    meters.counter("imprint.ca.issued", "ca", c.ca()).increment();
                } else {
                    count(e.getCause() instanceof CaException ce ? ce : e);
                }
            });
        }
        return f;
    }

    private void count(Throwable e) {
        if (e instanceof CaException ce) {
            LOG.debug("issuance refused: {} {}", ce.code(), ce.getMessage());
        }
        if (meters != null) {
            String code = e instanceof CaException ce ? ce.code() : CaException.Reason.INTERNAL_ERROR.name();
            meters.counter("imprint.ca.refused", "reason", code).increment();
        }
    }

    /** Recomputes the audit hash chain; empty when intact, else the first broken entry. */
    public Optional<AuditLog.AuditBreak> verifyAudit() {
        return store.audit().verify();
    }

    /** Records what is queued, gives back unused quota leases, stops CRL work. Does not close the store. */
    @Override
    public void close() {
        recorder.close();
        stationPolicy.close();
        revocations.close();
    }
}
