package dev.imprint.bench.validation;

import dev.imprint.pki.validation.RevocationStatus;
import dev.imprint.pki.validation.crl.CrlCache;
import dev.imprint.testkit.TestPki;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
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

/** Revocation lookup against a CRL of 1,000,000 revoked serials (target: < 1 microsecond). */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class RevocationLookupBenchmark {
    private CrlCache cache;
    private X509Certificate revoked;
    private X509Certificate good;
    private X509Certificate issuer;
    private Instant at;
    private boolean flip;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        TestPki pki = TestPki.create();
        TestPki.Issued r = pki.device("revoked");
        TestPki.Issued g = pki.device("good");
        SecureRandom rnd = new SecureRandom();
        List<BigInteger> serials = new ArrayList<>(1_000_000);
        for (int i = 0; i < 999_999; i++) {
            serials.add(new BigInteger(159, rnd).setBit(150));
        }
        serials.add(r.cert().getSerialNumber());
        byte[] der = pki.crl(pki.issuingCa(), pki.now().minusSeconds(60), pki.now().plus(Duration.ofDays(1)), serials).getEncoded();
        cache = CrlCache.builder().fetch(false).build();
        long t0 = System.nanoTime();
        cache.add(der);
        System.out.printf("%n1M-entry CRL (%d bytes) loaded in %d ms%n", der.length, (System.nanoTime() - t0) / 1_000_000);
        revoked = r.cert();
        good = g.cert();
        issuer = pki.intermediate();
        at = pki.now();
        if (!(cache.status(revoked, issuer, at) instanceof RevocationStatus.Revoked)) {
            throw new IllegalStateException("lookup broken");
        }
    }

    @Benchmark
    public RevocationStatus revocationLookup1M() {
        flip = !flip;
        return cache.status(flip ? revoked : good, issuer, at);
    }
}
