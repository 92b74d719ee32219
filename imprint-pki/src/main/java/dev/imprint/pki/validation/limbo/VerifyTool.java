package dev.imprint.pki.validation.limbo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.pki.validation.CertificateValidator;
import dev.imprint.pki.validation.Eku;
import dev.imprint.pki.validation.IdentitySource;
import dev.imprint.pki.validation.PeerName;
import dev.imprint.pki.validation.PossessionProof;
import dev.imprint.pki.validation.RevocationSource;
import dev.imprint.pki.validation.ValidationRequest;
import dev.imprint.pki.validation.Verdict;
import dev.imprint.pki.validation.crl.CrlCache;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * The logic of {@code imprint verify} and {@code imprint verify limbo}, free of any CLI library:
 * the launcher parses flags and calls {@link #verify} or {@link #limbo}.
 *
 * <p>Exit codes: 0 accepted, 1 refused, 2 bad input (unreadable file, bad flag value).
 */
public final class VerifyTool {
    public static final int ACCEPTED = 0;
    public static final int REFUSED = 1;
    public static final int BAD_INPUT = 2;

    /**
     * Options of {@code imprint verify --trust FILE --chain FILE [--crl FILE...] [--at TIME]
     * [--eku clientAuth|serverAuth] [--name KIND:VALUE] [--json]}.
     *
     * @param at ISO-8601 instant or offset date-time, null for now
     * @param eku a name ({@code clientAuth}) or OID, null for none
     * @param name {@code dns:host}, {@code ip:addr}, {@code rfc822:mail} or {@code uri:...}, null for none
     */
    public record Options(Path trust, Path chain, List<Path> crls, String at, String eku, String name, boolean json) {
        public Options {
            Objects.requireNonNull(trust, "trust");
            Objects.requireNonNull(chain, "chain");
            crls = crls == null ? List.of() : List.copyOf(crls);
        }
    }

    private VerifyTool() {}

    /** Validates one chain, prints the verdict (text or JSON) to {@code out}, problems to {@code err}; returns the exit code. */
    public static int verify(Options o, PrintStream out, PrintStream err) {
        ValidationRequest.Builder req;
        CertificateValidator validator;
        try {
            List<X509Certificate> anchors = readCerts(o.trust());
            List<X509Certificate> chain = readCerts(o.chain());
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("no certificate in " + o.chain());
            }
            RevocationSource revocation = RevocationSource.NONE;
            if (!o.crls().isEmpty()) {
                // only issuers with a CRL given are checked: the tool has no network and no policy to guess
                CrlCache cache = CrlCache.builder().fetch(false).missingCrl(CrlCache.MissingCrl.IGNORE).build();
                for (Path p : o.crls()) {
                    for (byte[] der : readDer(p, "X509 CRL")) {
                        cache.add(der);
                    }
                }
                revocation = cache;
            }
            validator = CertificateValidator.builder().trustAnchors(anchors).revocation(revocation)
                    .identitySources(IdentitySource.SAN_URI, IdentitySource.SUBJECT_CN, IdentitySource.SAN_DNS,
                            IdentitySource.SAN_RFC822, IdentitySource.SAN_IP, IdentitySource.SUBJECT_DN)
                    .build();
            req = ValidationRequest.builder().chain(chain).possession(PossessionProof.tlsHandshake());
            if (o.at() != null) {
                req.time(parseTime(o.at()));
            }
            if (o.eku() != null) {
                req.requiredEku(Eku.parse(o.eku()));
            }
            if (o.name() != null) {
                req.peerName(PeerName.parse(o.name().replaceFirst("(?i)^email:", "rfc822:")));
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            err.println("imprint verify: " + e.getMessage());
            return BAD_INPUT;
        }
        Verdict v = validator.validate(req.build());
        out.println(o.json() ? json(v) : text(v));
        return v.accepted() ? ACCEPTED : REFUSED;
    }

    /** {@code imprint verify limbo}: a limbo suite (JSON or gzip) in, harness results out. */
    public static int limbo(InputStream in, OutputStream out, PrintStream err) {
        try {
            LimboHarness.run(in, out);
            return ACCEPTED;
        } catch (IOException | RuntimeException e) {
            err.println("imprint verify limbo: " + e.getMessage());
            return BAD_INPUT;
        }
    }

    static String text(Verdict v) {
        if (v instanceof Verdict.Accepted a) {
            return "ACCEPTED identity=" + a.identity() + " path=" + a.path().size() + " certificates";
        }
        Verdict.Refused r = (Verdict.Refused) v;
        return "REFUSED step=" + r.step().number() + " (" + r.step() + ") reason=" + r.reason() + ": " + r.detail();
    }

    static String json(Verdict v) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode n = m.createObjectNode();
        n.put("accepted", v.accepted());
        if (v instanceof Verdict.Accepted a) {
            n.put("identity", a.identity());
            ArrayNode path = n.putArray("path");
            a.path().forEach(c -> path.add(c.getSubjectX500Principal().getName()));
        } else {
            Verdict.Refused r = (Verdict.Refused) v;
            n.put("step", r.step().number());
            n.put("stepName", r.step().name());
            n.put("reason", r.reason().name());
            n.put("detail", r.detail());
        }
        return n.toString();
    }

    private static Instant parseTime(String s) {
        try {
            return Instant.parse(s);
        } catch (RuntimeException e) {
            return OffsetDateTime.parse(s).toInstant();
        }
    }

    static List<X509Certificate> readCerts(Path p) throws IOException, CertificateException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        for (byte[] der : readDer(p, "CERTIFICATE")) {
            out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
        }
        return out;
    }

    /** All PEM blocks of {@code type} in the file, or the whole file as one DER object when it is not PEM. */
    private static List<byte[]> readDer(Path p, String type) throws IOException {
        byte[] bytes = Files.readAllBytes(p);
        String text = new String(bytes, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN ")) {
            return List.of(bytes);
        }
        List<byte[]> out = new ArrayList<>();
        try (PemReader r = new PemReader(new StringReader(text))) {
            PemObject o;
            while ((o = r.readPemObject()) != null) {
                if (o.getType().equals(type)) {
                    out.add(o.getContent());
                }
            }
        }
        return out;
    }
}
