package dev.imprint.ca.issuance;

import dev.imprint.ca.CaException;
import dev.imprint.ca.CaException.Reason;
import dev.imprint.ca.IssuanceRequest;
import dev.imprint.ca.IssuedCertificate;
import dev.imprint.ca.hierarchy.IssuingCa;
import dev.imprint.ca.hierarchy.PkiFolderHierarchy;
import dev.imprint.ca.station.StationPolicy;
import dev.imprint.store.CertificateRecord;
import dev.imprint.store.CertificateStore;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * Runs issuance: the enrollment method's rules in the fixed order CSR checks, template,
 * modify, validate, reserve; then sign and record. The CSR contributes only its public key
 * and the device ID. Refusals throw {@link CaException} before anything is signed; a failure
 * to sign or record gives back what was reserved. The one refusal that can come after signing is
 * DEVICE_HAS_LIVE_CERTIFICATE from the recording transaction, when another CA node recorded a
 * certificate for the same device first: the signed one is then neither recorded nor returned.
 */
public final class IssuancePipeline {
    /** Certificates are backdated this much against clock skew of devices. */
    private static final long BACKDATE_SECONDS = 60;

    private final PkiFolderHierarchy hierarchy;
    private final CertificateStore certificates;
    private final StationPolicy stations;
    private final Recorder recorder;
    private final EnrollmentMethods methods;
    private final Map<String, LeafCertificateBuilder> builders = new ConcurrentHashMap<>();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final String pkiBaseUrl;
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(IssuancePipeline::sha256);

    public IssuancePipeline(PkiFolderHierarchy hierarchy, CertificateStore certificates, StationPolicy stations,
                            Recorder recorder, EnrollmentMethods methods, String pkiBaseUrl) {
        this.hierarchy = hierarchy;
        this.certificates = certificates;
        this.stations = stations;
        this.recorder = recorder;
        this.methods = methods;
        this.pkiBaseUrl = pkiBaseUrl;
    }

    /** Per-request state the rules fill in. */
    private static final class Work {
        ParsedCsr csr;
        String keyAlgorithm;
        String deviceId;
        IssuingCa ca;
        Instant notBefore;
        Instant notAfter;
        String claimedId;
        String reservedStation;
    }

    /**
     * Checks, signs (on the calling thread) and queues for recording.
     *
     * @throws CaException a refusal; nothing was issued
     */
    public CompletableFuture<IssuedCertificate> issue(IssuanceRequest request) {
        List<IssuanceRule> rules = new ArrayList<>(methods.rulesFor(request.method()));
        rules.sort(Comparator.comparing(IssuanceRule::phase));
        Work w = new Work();
        w.csr = ParsedCsr.parse(request.csrDer());
        try {
            for (IssuanceRule rule : rules) {
                apply(rule, w);
            }
            if (w.ca == null || w.deviceId == null || w.keyAlgorithm == null) {
                // A method whose rules do not establish key, identity and profile gets nothing.
                throw new CaException(Reason.INTERNAL_ERROR, "the enrollment method's rules are incomplete");
            }
            BigInteger serial = Serials.random();
            byte[] der = builder(w.ca).build(serial, w.notBefore, w.notAfter, LeafCertificateBuilder.commonName(w.deviceId),
                    LeafCertificateBuilder.uriName(DeviceIds.DEVICE_URN + w.deviceId), w.csr.publicKey());
            String serialHex = Serials.hex(serial);
            CertificateRecord record = new CertificateRecord(serialHex, w.ca.name(), w.deviceId, "device",
                    w.notBefore, w.notAfter, fingerprint(w), EnrollmentMethods.requestedBy(request.method()),
                    Instant.now(), der, null, null);
            IssuedCertificate issued = new IssuedCertificate(serialHex, w.ca.name(), w.deviceId, der, w.ca.chain());
            // the rule "no live certificate" is decided again where it is recorded, against every CA node
            return recorder.record(record, w.claimedId != null).handle((ok, err) -> {
                release(w, err != null);
                if (err != null) {
                    throw err instanceof CaException ce ? ce : new CaException(Reason.UNAVAILABLE, err.getMessage(), err);
                }
                return issued;
            });
        } catch (RuntimeException e) {
            release(w, true);
            throw e instanceof CaException ? e : new CaException(Reason.INTERNAL_ERROR, "issuance failed: " + e, e);
        }
    }

    private void apply(IssuanceRule rule, Work w) {
        if (rule instanceof IssuanceRule.KeyAccepted) {
            w.keyAlgorithm = KeyPolicy.check(w.csr.publicKey());
        } else if (rule instanceof IssuanceRule.CsrSignature) {
            CsrSignatures.verify(w.csr, w.keyAlgorithm != null ? w.keyAlgorithm : KeyPolicy.check(w.csr.publicKey()));
        } else if (rule instanceof IssuanceRule.DeviceNamesOnly) {
            w.deviceId = CsrNames.deviceId(w.csr);
        } else if (rule instanceof IssuanceRule.NoCaRights) {
            CsrNames.refuseCaRights(w.csr);
        } else if (rule instanceof IssuanceRule.DeviceProfile p) {
            w.ca = hierarchy.issuingCa(p.ca());
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            w.notBefore = now.minusSeconds(BACKDATE_SECONDS);
            w.notAfter = now.plus(p.validity());
        } else if (rule instanceof IssuanceRule.ClampToIssuer) {
            Instant caEnd = w.ca.certificate().getNotAfter().toInstant();
            if (w.notAfter.isAfter(caEnd)) {
                w.notAfter = caEnd;
            }
        } else if (rule instanceof IssuanceRule.StationActive s) {
            stations.requireActive(s.station());
        } else if (rule instanceof IssuanceRule.StationIdPattern s) {
            stations.requireIdAllowed(s.station(), w.deviceId);
        } else if (rule instanceof IssuanceRule.NoLiveCertificate) {
            requireNoLiveCertificate(w);
        } else if (rule instanceof IssuanceRule.SameIdentity s) {
            if (!s.deviceId().equals(w.deviceId)) {
                throw new CaException(Reason.IDENTITY_MISMATCH,
                        "the CSR asks for " + w.deviceId + " but the caller is " + s.deviceId());
            }
        } else if (rule instanceof IssuanceRule.CurrentNotRevoked c) {
            var current = certificates.findBySerial(c.serialHex())
                    .orElseThrow(() -> new CaException(Reason.AUTH_REFUSED, "the current certificate is not one this CA issued"));
            if (current.revoked()) {
                throw new CaException(Reason.AUTH_REFUSED, "the current certificate is revoked");
            }
        } else if (rule instanceof IssuanceRule.StationRate s) {
            stations.takeRateToken(s.station());
        } else if (rule instanceof IssuanceRule.StationQuota s) {
            stations.reserveOne(s.station());
            w.reservedStation = s.station();
        } else {
            throw new CaException(Reason.INTERNAL_ERROR, "unknown issuance rule " + rule + "; refusing");
        }
    }

    /**
     * The fast path, on this node only: refuses before signing what is sure to be refused. Claim
     * first, then look: two concurrent requests for one ID on this node cannot both pass. Two CA
     * nodes can both pass here; the recording transaction decides between them (the
     * {@link Recorder} records the certificate only if the device still has no live one).
     */
    private void requireNoLiveCertificate(Work w) {
        if (!inFlight.add(w.deviceId)) {
            throw new CaException(Reason.DEVICE_HAS_LIVE_CERTIFICATE, "device " + w.deviceId + " is being issued a certificate");
        }
        w.claimedId = w.deviceId;
        if (certificates.hasLive(w.deviceId, "device", Instant.now())) {
            throw new CaException(Reason.DEVICE_HAS_LIVE_CERTIFICATE,
                    "device " + w.deviceId + " already has a live certificate; revoke it or re-enroll with it");
        }
    }

    private void release(Work w, boolean failed) {
        if (w.claimedId != null) {
            inFlight.remove(w.claimedId);
            w.claimedId = null;
        }
        if (failed && w.reservedStation != null) {
            stations.releaseOne(w.reservedStation);
            w.reservedStation = null;
        }
    }

    private LeafCertificateBuilder builder(IssuingCa ca) {
        return builders.computeIfAbsent(ca.name(), n -> new LeafCertificateBuilder(ca, pkiBaseUrl,
                KeyUsage.digitalSignature, KeyPurposeId.id_kp_clientAuth));
    }

    private static String fingerprint(Work w) {
        try {
            return HexFormat.of().formatHex(SHA256.get().digest(w.csr.publicKey().getEncoded(ASN1Encoding.DER)));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256", dev.imprint.pki.CryptoProviders.fast());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
