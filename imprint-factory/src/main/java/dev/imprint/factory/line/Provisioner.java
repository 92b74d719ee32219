package dev.imprint.factory.line;

import dev.imprint.device.PossessionProof;
import dev.imprint.device.bus.BusChannel;
import dev.imprint.device.bus.BusException;
import dev.imprint.device.bus.Frame;
import dev.imprint.device.bus.FrameType;
import dev.imprint.factory.FactoryException;
import dev.imprint.factory.est.CaClient;
import dev.imprint.pki.Pem;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * The station's side of one device conversation. The bus is unauthenticated, so every
 * decision is the station's: which ID a device gets, that its CSR asks for exactly that ID,
 * that a certificate already issued for an ID is only ever handed to the same key, and that the
 * device proves possession before the CA is told it is provisioned.
 */
public final class Provisioner {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,127}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Provisioner.class);

    private final Journal journal;
    private final IdAllocator ids;
    private final CaClient ca;
    private final LedgerBatcher ledger;
    private final List<X509Certificate> caCerts;
    private final Pattern allowed;
    private final Duration step;
    private final java.util.Map<javax.security.auth.x500.X500Principal, String> issuerPems = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param allowed local copy of the station's ID pattern (null: only the CA checks) */
    public Provisioner(Journal journal, IdAllocator ids, CaClient ca, LedgerBatcher ledger, List<X509Certificate> caCerts,
            Pattern allowed, Duration step) {
        this.journal = journal;
        this.ids = ids;
        this.ca = ca;
        this.ledger = ledger;
        this.caCerts = caCerts;
        this.allowed = allowed;
        this.step = step;
    }

    /** Runs one conversation to its end; never throws for what the device or the CA does. */
    public Outcome provision(BusChannel bus) {
        String id = null;
        try {
            FactoryException ledgerFailure = ledger.failure();
            if (ledgerFailure != null && ledgerFailure.stopsTheLine()) {
                throw ledgerFailure;
            }
            String asked = bus.receive(step).expect(FrameType.HELLO).text();
            id = asked.isEmpty() ? ids.next() : asked;
            if (!ID.matcher(id).matches()) {
                return refuse(bus, id, "ID_INVALID", "not a valid device ID");
            }
            if (allowed != null && !allowed.matcher(id).matches()) {
                return refuse(bus, id, "ID_NOT_ALLOWED", "outside this station's range");
            }
            bus.send(Frame.text(FrameType.ASSIGN, id));
            byte[] csrDer = bus.receive(step).expect(FrameType.CSR).payload();
            PKCS10CertificationRequest csr;
            PublicKey key;
            try {
                csr = new PKCS10CertificationRequest(csrDer);
                key = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest(csr).getPublicKey();
            } catch (Exception e) {
                return refuse(bus, id, "CSR_MALFORMED", "CSR does not parse");
            }
            if (!id.equals(commonName(csr))) {
                return refuse(bus, id, "CSR_WRONG_ID", "the CSR does not ask for the assigned ID");
            }
            String fp = fingerprint(key.getEncoded());
            Journal.Entry prior = journal.find(id);
            X509Certificate cert;
            boolean reused;
            if (prior != null && (prior.certDer != null || prior.keyFingerprint != null)) {
                // a retry after a crash or a lost DONE: never a second certificate for this ID
                Optional<X509Certificate> known = prior.certDer != null ? Optional.of(Pem.certificate(prior.certDer)) : ca.issuedTo(id);
                if (known.isEmpty()) {
                    cert = enroll(id, fp, csrDer);
                    reused = false;
                } else if (!fingerprint(known.get().getPublicKey().getEncoded()).equals(fp)) {
                    return refuse(bus, id, "ID_TAKEN", "a certificate for this ID exists for another key");
                } else {
                    cert = known.get();
                    reused = true;
                    if (prior.certDer == null) {
                        journal.issued(id, serial(cert), cert.getEncoded());
                    }
                }
            } else {
                cert = enroll(id, fp, csrDer);
                reused = false;
            }
            byte[] nonce = new byte[PossessionProof.NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            byte[] pem = (pem(cert.getEncoded()) + issuersPem(cert)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] payload = new byte[nonce.length + pem.length];
            System.arraycopy(nonce, 0, payload, 0, nonce.length);
            System.arraycopy(pem, 0, payload, nonce.length, pem.length);
            bus.send(new Frame(FrameType.CERT, payload));
            byte[] proof = bus.receive(step).expect(FrameType.PROOF).payload();
            if (!PossessionProof.verify(cert.getPublicKey(), nonce, cert.getEncoded(), proof)) {
                return refuse(bus, id, "POSSESSION_NOT_PROVED", "the proof does not verify with the certificate's key");
            }
            String serial = serial(cert);
            // The proof is durable in the journal before DONE; the ledger entry follows in a batch
            // (sent again on the next run if the CA has not acknowledged it by then).
            journal.confirmed(id, serial).join();
            String confirmedId = id;
            ledger.confirm(new CaClient.Confirmation(id, serial, Instant.now()))
                    .thenRun(() -> journal.ledgered(confirmedId, serial));
            bus.send(new Frame(FrameType.DONE, new byte[0]));
            return new Outcome.Provisioned(id, serial, reused);
        } catch (BusException e) {
            return new Outcome.Refused(id, e.code(), bus.peer() + ": " + e.getMessage(), false);
        } catch (FactoryException e) {
            tell(bus, e.code(), e.getMessage());
            return new Outcome.Refused(id, e.code(), e.getMessage(), e.stopsTheLine());
        } catch (java.util.concurrent.CompletionException e) {
            FactoryException fe = e.getCause() instanceof FactoryException f ? f : new FactoryException("INTERNAL_ERROR", String.valueOf(e.getCause()));
            tell(bus, fe.code(), fe.getMessage());
            return new Outcome.Refused(id, fe.code(), fe.getMessage(), fe.stopsTheLine());
        } catch (GeneralSecurityException e) {
            tell(bus, "INTERNAL_ERROR", e.getMessage());
            return new Outcome.Refused(id, "INTERNAL_ERROR", e.toString(), false);
        }
    }

    private X509Certificate enroll(String id, String fp, byte[] csrDer) throws GeneralSecurityException {
        journal.pending(id, fp).join();
        X509Certificate cert;
        try {
            cert = ca.enroll(csrDer);
        } catch (FactoryException e) {
            if (!e.code().equals("CA_UNREACHABLE")) {
                throw e;
            }
            cert = recover(id, fp, csrDer, e);
        }
        journal.issued(id, serial(cert), cert.getEncoded());
        return cert;
    }

    /** After a lost answer: the CA may be away a moment longer, or still busy with the first attempt. */
    private static final java.util.Set<String> RETRYABLE = java.util.Set.of("CA_UNREACHABLE", "DEVICE_HAS_LIVE_CERTIFICATE");
    private static final int RECOVERY_ATTEMPTS = 3;

    /**
     * An enrollment whose answer did not arrive (or that raced a slow first attempt): ask the CA
     * what it issued to this station for the ID, take it if it is for this key, else enroll again.
     * Bounded; a CA that stays away stops the line as before.
     */
    private X509Certificate recover(String id, String fp, byte[] csrDer, FactoryException first) {
        FactoryException last = first;
        for (int attempt = 1; attempt <= RECOVERY_ATTEMPTS; attempt++) {
            LOG.warn("event=line.enroll_retry device={} attempt={} after={} msg=\"{}\"", id, attempt, last.code(), last.getMessage());
            try {
                Optional<X509Certificate> known = ca.issuedTo(id);
                if (known.isPresent()) {
                    if (!fingerprint(known.get().getPublicKey().getEncoded()).equals(fp)) {
                        throw new FactoryException("ID_TAKEN", "a certificate for this ID exists for another key");
                    }
                    return known.get();
                }
                return ca.enroll(csrDer);
            } catch (FactoryException e) {
                if (!RETRYABLE.contains(e.code())) {
                    throw e;
                }
                last = e;
                sleepQuietly(200L * attempt);
            }
        }
        throw last;
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FactoryException("INTERRUPTED", "interrupted");
        }
    }

    /** RFC 7468 PEM of one certificate (the per-device leaf; the PEM writer's setup costs more than the encoding). */
    static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE-----\n"
                + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END CERTIFICATE-----\n";
    }

    /** PEM of the leaf's issuer chain, written once per issuer rather than per device. */
    private String issuersPem(X509Certificate leaf) {
        return issuerPems.computeIfAbsent(leaf.getIssuerX500Principal(), p -> {
            List<X509Certificate> c = chain(leaf);
            return Pem.write(c.subList(1, c.size()));
        });
    }

    private List<X509Certificate> chain(X509Certificate leaf) {
        List<X509Certificate> out = new ArrayList<>();
        out.add(leaf);
        X509Certificate cur = leaf;
        for (int depth = 0; depth < 4; depth++) {
            X509Certificate issuer = null;
            for (X509Certificate c : caCerts) {
                if (c.getSubjectX500Principal().equals(cur.getIssuerX500Principal()) && !c.equals(cur)) {
                    issuer = c;
                }
            }
            if (issuer == null) {
                break;
            }
            out.add(issuer);
            if (issuer.getSubjectX500Principal().equals(issuer.getIssuerX500Principal())) {
                break;
            }
            cur = issuer;
        }
        return out;
    }

    private static Outcome refuse(BusChannel bus, String id, String code, String message) {
        tell(bus, code, message);
        return new Outcome.Refused(id, code, message, false);
    }

    private static void tell(BusChannel bus, String code, String message) {
        try {
            bus.send(Frame.error(code, message == null ? "" : message));
        } catch (BusException ignored) {
            // the device is gone; the outcome says why already
        }
    }

    private static String commonName(PKCS10CertificationRequest csr) {
        RDN[] cn = csr.getSubject().getRDNs(BCStyle.CN);
        return cn.length == 1 ? IETFUtils.valueToString(cn[0].getFirst().getValue()) : null;
    }

    static String serial(X509Certificate c) {
        return c.getSerialNumber().toString(16);
    }

    public static String fingerprint(byte[] spki) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
