package dev.imprint.bench.validation;

import dev.imprint.pki.CryptoProviders;
import dev.imprint.pki.validation.CertificateValidator;
import dev.imprint.pki.validation.Eku;
import dev.imprint.pki.validation.PossessionProof;
import dev.imprint.pki.validation.ValidationRequest;
import dev.imprint.pki.validation.Verdict;
import dev.imprint.pki.validation.crl.CrlCache;
import dev.imprint.testkit.TestPki;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Issue 3's performance targets, measured in one run:
 * {@code validateFreshDeviceChain} (five steps, warm CRL cache, a leaf never seen before each
 * time as far as signatures go: leaf signatures are never cached) against
 * {@code rawEcdsaP256Verify} (one ECDSA P-256 verification with the same provider).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class ValidationBenchmark {
    private static final int DEVICES = 2_000;

    private CertificateValidator validator;
    private CrlCache crls;
    private final List<ValidationRequest> requests = new ArrayList<>();
    private int next;

    private byte[] tbs;
    private byte[] signature;
    private PublicKey issuerKey;
    private Signature verifier;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        CryptoProviders.install();
        TestPki pki = TestPki.create();
        crls = CrlCache.builder().fetch(false).build();
        pki.revokedDevice("revoked-0");
        crls.add(pki.crl());
        crls.add(pki.crl(pki.rootCa(), pki.now().minusSeconds(60), pki.now().plus(Duration.ofDays(1)), List.of()));
        validator = CertificateValidator.builder().trustAnchor(pki.root()).revocation(crls).build();
        for (int i = 0; i < DEVICES; i++) {
            TestPki.Issued d = pki.device("bench-" + i);
            requests.add(ValidationRequest.builder().chain(d.chain()).possession(PossessionProof.tlsHandshake())
                    .requiredEku(Eku.CLIENT_AUTH).build());
        }
        Verdict v = validator.validate(requests.get(0));
        if (!v.accepted()) {
            throw new IllegalStateException("benchmark chain refused: " + v);
        }
        X509Certificate leaf = requests.get(1).chain().get(0);
        tbs = leaf.getTBSCertificate();
        signature = leaf.getSignature();
        issuerKey = KeyFactory.getInstance("EC", CryptoProviders.fast())
                .generatePublic(new X509EncodedKeySpec(pki.intermediate().getPublicKey().getEncoded()));
        verifier = Signature.getInstance("SHA256withECDSA", CryptoProviders.fast());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        crls.close();
    }

    @Benchmark
    public Verdict validateFreshDeviceChain() {
        int i = next;
        next = (i + 1) % DEVICES;
        return validator.validate(requests.get(i));
    }

    @Benchmark
    public boolean rawEcdsaP256Verify() throws Exception {
        verifier.initVerify(issuerKey);
        verifier.update(tbs);
        return verifier.verify(signature);
    }
}
