package dev.imprint.ca;

import dev.imprint.cluster.Leadership;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.IntSupplier;

/**
 * How the CA runs. Immutable; build with {@link #defaults} and the {@code with*} methods.
 *
 * @param pkiDir where CA certificates (PEM) and encrypted CA keys (PKCS#8, mode 0600) live
 * @param passphrase encrypts the CA key files; ignored for keys held in a PKCS#11 token
 * @param pkcs11 when non-null, CA keys are generated in and used from this token
 * @param pkiBaseUrl base of the plain-HTTP PKI repository, e.g. {@code http://127.0.0.1:8080};
 *     issued certificates point to {@code <pki>/crl/<ca>.crl}, {@code <pki>/ocsp} and
 *     {@code <pki>/ca/<ca>.crt}
 * @param manufacturingValidity lifetime of factory (IDevID) device certificates
 * @param operationalValidity lifetime of operational (LDevID) device certificates
 * @param serviceValidity lifetime of server, station and admin certificates
 * @param crlNextUpdate how far ahead a CRL's nextUpdate lies; full CRLs are rebuilt at half of it
 * @param meterRegistry counts issuances and refusals by reason code; may be null
 * @param leadership which node publishes each CA's CRLs (key {@code "crl:" + caName}); every node
 *     issues and serves the published CRLs. {@link Leadership#single()} (the default; null means
 *     it) for one process
 * @param expiredCertificateRetention how long a device certificate's row is kept after its
 *     notAfter; then the node that publishes its CA's CRLs deletes it (null means 30 days)
 * @param liveCaNodes how many CA nodes are live (the node table on several nodes; null means 1):
 *     each station's rate is shared by them, this node admitting {@code rate / liveCaNodes}
 *     (reread every few seconds, never per request)
 */
public record CaSettings(
        Path pkiDir,
        char[] passphrase,
        Pkcs11Settings pkcs11,
        String pkiBaseUrl,
        Duration manufacturingValidity,
        Duration operationalValidity,
        Duration serviceValidity,
        Duration crlNextUpdate,
        MeterRegistry meterRegistry,
        Leadership leadership,
        Duration expiredCertificateRetention,
        IntSupplier liveCaNodes) {

    public CaSettings {
        Objects.requireNonNull(pkiDir, "pkiDir");
        Objects.requireNonNull(pkiBaseUrl, "pkiBaseUrl");
        if (pkcs11 == null && (passphrase == null || passphrase.length == 0)) {
            throw new IllegalArgumentException("a CA key passphrase is required when keys are not in a PKCS#11 token");
        }
        leadership = leadership == null ? Leadership.single() : leadership;
        liveCaNodes = liveCaNodes == null ? ONE_NODE : liveCaNodes;
        expiredCertificateRetention = expiredCertificateRetention == null ? DEFAULT_RETENTION : expiredCertificateRetention;
        if (expiredCertificateRetention.isNegative()) {
            throw new IllegalArgumentException("expiredCertificateRetention must not be negative");
        }
        pkiBaseUrl = pkiBaseUrl.endsWith("/") ? pkiBaseUrl.substring(0, pkiBaseUrl.length() - 1) : pkiBaseUrl;
    }

    /** The settings with the default retention of expired certificates, on one CA node. */
    public CaSettings(Path pkiDir, char[] passphrase, Pkcs11Settings pkcs11, String pkiBaseUrl, Duration manufacturingValidity,
            Duration operationalValidity, Duration serviceValidity, Duration crlNextUpdate, MeterRegistry meterRegistry,
            Leadership leadership) {
        this(pkiDir, passphrase, pkcs11, pkiBaseUrl, manufacturingValidity, operationalValidity, serviceValidity, crlNextUpdate,
                meterRegistry, leadership, DEFAULT_RETENTION, ONE_NODE);
    }

    /** The settings on one CA node. */
    public CaSettings(Path pkiDir, char[] passphrase, Pkcs11Settings pkcs11, String pkiBaseUrl, Duration manufacturingValidity,
            Duration operationalValidity, Duration serviceValidity, Duration crlNextUpdate, MeterRegistry meterRegistry,
            Leadership leadership, Duration expiredCertificateRetention) {
        this(pkiDir, passphrase, pkcs11, pkiBaseUrl, manufacturingValidity, operationalValidity, serviceValidity, crlNextUpdate,
                meterRegistry, leadership, expiredCertificateRetention, ONE_NODE);
    }

    private static final IntSupplier ONE_NODE = () -> 1;

    /** Expired device certificates stay this long: enough to answer "what did this device have" for a month. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);

    /**
     * Sane defaults: manufacturing certificates 20 years, operational 30 days, service
     * certificates 1 year, CRL nextUpdate 1 hour, expired device certificates kept 30 days, no PKCS#11, no metrics.
     */
    public static CaSettings defaults(Path pkiDir, char[] passphrase, String pkiBaseUrl) {
        return new CaSettings(pkiDir, passphrase, null, pkiBaseUrl,
                Duration.ofDays(20 * 365 + 5), Duration.ofDays(30), Duration.ofDays(365),
                Duration.ofHours(1), null, Leadership.single(), DEFAULT_RETENTION, ONE_NODE);
    }

    public CaSettings withPkcs11(Pkcs11Settings p) {
        return new CaSettings(pkiDir, passphrase, p, pkiBaseUrl, manufacturingValidity, operationalValidity,
                serviceValidity, crlNextUpdate, meterRegistry, leadership, expiredCertificateRetention, liveCaNodes);
    }

    public CaSettings withValidity(Duration manufacturing, Duration operational) {
        return new CaSettings(pkiDir, passphrase, pkcs11, pkiBaseUrl, manufacturing, operational,
                serviceValidity, crlNextUpdate, meterRegistry, leadership, expiredCertificateRetention, liveCaNodes);
    }

    public CaSettings withCrlNextUpdate(Duration d) {
        return new CaSettings(pkiDir, passphrase, pkcs11, pkiBaseUrl, manufacturingValidity, operationalValidity,
                serviceValidity, d, meterRegistry, leadership, expiredCertificateRetention, liveCaNodes);
    }

    public CaSettings withMeterRegistry(MeterRegistry r) {
        return new CaSettings(pkiDir, passphrase, pkcs11, pkiBaseUrl, manufacturingValidity, operationalValidity,
                serviceValidity, crlNextUpdate, r, leadership, expiredCertificateRetention, liveCaNodes);
    }

    /** Several CA nodes: this node publishes a CA's CRLs only while {@code l} says it leads {@code "crl:" + ca}. */
    public CaSettings withLeadership(Leadership l) {
        return new CaSettings(pkiDir, passphrase, pkcs11, pkiBaseUrl, manufacturingValidity, operationalValidity,
                serviceValidity, crlNextUpdate, meterRegistry, l, expiredCertificateRetention, liveCaNodes);
    }

    /** Device certificates are deleted this long after their notAfter. */
    public CaSettings withExpiredCertificateRetention(Duration d) {
        return new CaSettings(pkiDir, passphrase, pkcs11, pkiBaseUrl, manufacturingValidity, operationalValidity,
                serviceValidity, crlNextUpdate, meterRegistry, leadership, d, liveCaNodes);
    }

    /** Several CA nodes: each station's rate is shared by the {@code n} live CA nodes (the node table's count). */
    public CaSettings withLiveCaNodes(IntSupplier n) {
        return new CaSettings(pkiDir, passphrase, pkcs11, pkiBaseUrl, manufacturingValidity, operationalValidity,
                serviceValidity, crlNextUpdate, meterRegistry, leadership, expiredCertificateRetention, n);
    }
}
