package dev.imprint.ca.est;

import dev.imprint.ca.CaException;
import dev.imprint.ca.CaException.Reason;
import dev.imprint.ca.hierarchy.CaHierarchy;
import dev.imprint.ca.issuance.DeviceIds;
import dev.imprint.ca.issuance.Serials;
import dev.imprint.cluster.ExpiringCache;
import dev.imprint.pki.validation.AuthorizationDecision;
import dev.imprint.pki.validation.CertificateValidator;
import dev.imprint.pki.validation.IdentitySource;
import dev.imprint.pki.validation.PossessionProof;
import dev.imprint.pki.validation.RevocationSource;
import dev.imprint.pki.validation.RevocationStatus;
import dev.imprint.pki.validation.ValidationRequest;
import dev.imprint.pki.validation.Verdict;
import dev.imprint.pki.validation.ReasonCode;
import dev.imprint.store.CertificateStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Authenticates EST peers with the shared {@link CertificateValidator} (five steps), revocation
 * answered from the CA's own store so a revocation counts at once. Stations must chain to the
 * service CA and carry {@code urn:imprint:station:NAME}; devices re-enrolling must chain to the
 * manufacturing or operational CA and carry a device ID. Both need EKU clientAuth. The TLS
 * layer has verified possession of the leaf key.
 */
public final class PeerAuthenticator {
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    /** How long an accepted station certificate is trusted without validating it again (as {@code StationPolicy}'s cache). */
    private static final Duration STATION_LIFETIME = Duration.ofSeconds(1);
    private static final int STATIONS_KEPT = 10_000;

    private final CertificateValidator stations;
    private final CertificateValidator devices;
    /**
     * Station leaf certificate to its station name, accepted within the last second: a line sends
     * many requests per second on one credential. A refusal throws, so it is never kept.
     */
    private final ExpiringCache<X509Certificate, String> acceptedStations;

    public PeerAuthenticator(CaHierarchy hierarchy, CertificateStore certificates) {
        this(hierarchy, certificates, System::nanoTime);
    }

    /** @param nanoTime the clock of the accepted station certificates: {@link System#nanoTime} but in tests */
    public PeerAuthenticator(CaHierarchy hierarchy, CertificateStore certificates, LongSupplier nanoTime) {
        this.acceptedStations = new ExpiringCache<>(STATION_LIFETIME, STATIONS_KEPT, nanoTime);
        RevocationSource fromStore = storeRevocation(certificates);
        this.stations = CertificateValidator.builder()
                .trustAnchor(hierarchy.issuer(CaHierarchy.SERVICE))
                .revocation(fromStore)
                .identitySources(IdentitySource.SAN_URI)
                .build();
        this.devices = CertificateValidator.builder()
                .trustAnchor(hierarchy.issuer(CaHierarchy.MANUFACTURING))
                .trustAnchor(hierarchy.issuer(CaHierarchy.OPERATIONAL))
                .revocation(fromStore)
                .identitySources(IdentitySource.SAN_URI, IdentitySource.SUBJECT_CN)
                .build();
    }

    /**
     * The station name. An accepted station certificate is trusted for a second before it is
     * validated again, so revoking the certificate (not the station, which the station policy
     * checks per request) takes effect within a second.
     *
     * @throws CaException AUTH_REQUIRED without a peer, AUTH_REFUSED otherwise
     */
    public String station(List<X509Certificate> peerChain) {
        requirePeer(peerChain);
        return acceptedStations.get(peerChain.get(0), leaf -> {
            String uri = ((Verdict.Accepted) validate(stations, peerChain, DeviceIds.STATION_URN)).identity();
            return uri.substring(DeviceIds.STATION_URN.length());
        });
    }

    /** The device's current certificate. @throws CaException AUTH_REQUIRED, AUTH_REFUSED */
    public X509Certificate device(List<X509Certificate> peerChain) {
        validate(devices, peerChain, null);
        X509Certificate leaf = peerChain.get(0);
        if (DeviceIds.fromCertificate(leaf).filter(DeviceIds::valid).isEmpty()) {
            throw new CaException(Reason.AUTH_REFUSED, "the client certificate carries no device ID");
        }
        return leaf;
    }

    private static void requirePeer(List<X509Certificate> chain) {
        if (chain == null || chain.isEmpty()) {
            throw new CaException(Reason.AUTH_REQUIRED, "a client certificate is required");
        }
    }

    private static Verdict validate(CertificateValidator validator, List<X509Certificate> chain, String urnPrefix) {
        requirePeer(chain);
        ValidationRequest.Builder req = ValidationRequest.builder()
                .chain(chain)
                .possession(PossessionProof.tlsHandshake())
                .requiredEku(CLIENT_AUTH);
        if (urnPrefix != null) {
            req.authorizer((identity, path) -> identity.startsWith(urnPrefix) && identity.length() > urnPrefix.length()
                    ? AuthorizationDecision.granted()
                    : AuthorizationDecision.denied("identity " + identity + " is not under " + urnPrefix));
        }
        Verdict v = validator.validate(req.build());
        if (v instanceof Verdict.Refused r) {
            throw new CaException(Reason.AUTH_REFUSED, "client certificate refused at step " + r.step().number()
                    + " (" + r.reason() + "): " + r.detail());
        }
        return v;
    }

    /** Revocation from the store: unknown serials fail closed (this CA records all it issues). */
    static RevocationSource storeRevocation(CertificateStore certificates) {
        return (cert, issuer, at) -> certificates.findBySerial(Serials.hex(cert.getSerialNumber()))
                .map(r -> r.revoked()
                        ? RevocationStatus.revoked(r.revocationReason() == null ? 0 : r.revocationReason(), r.revokedAt())
                        : RevocationStatus.good())
                .orElseGet(() -> RevocationStatus.unknown(ReasonCode.CRL_UNAVAILABLE, "serial not recorded by this CA"));
    }
}
