package dev.imprint.bench.ca;

import dev.imprint.ca.Authority;
import dev.imprint.ca.CaSettings;
import dev.imprint.ca.hierarchy.IssuingCa;
import dev.imprint.ca.hierarchy.PkiFolderHierarchy;
import dev.imprint.ca.issuance.CsrNames;
import dev.imprint.ca.issuance.CsrSignatures;
import dev.imprint.ca.issuance.KeyPolicy;
import dev.imprint.ca.issuance.LeafCertificateBuilder;
import dev.imprint.ca.issuance.ParsedCsr;
import dev.imprint.ca.issuance.Serials;
import dev.imprint.store.JdbcStore;
import dev.imprint.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CPU steps of issuance alone, per thread: CSR parse + key check + signature verification
 * (ACCP), and building + signing a device certificate (precomputed profile, ACCP ECDSA P-256),
 * and both. Run with {@code -t 2} for both cores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class IssuanceStepsBenchmark {
    byte[][] csrs;
    ParsedCsr parsed;
    LeafCertificateBuilder builder;
    Store store;
    Authority ca;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        Path dir = Files.createTempDirectory("imprint-bench-steps");
        store = JdbcStore.sqlite(dir.resolve("imprint.db"));
        ca = Authority.open(CaSettings.defaults(dir.resolve("pki"), "bench".toCharArray(), "http://127.0.0.1:8080"), store);
        IssuingCa mfg = ((PkiFolderHierarchy) ca.hierarchy()).issuingCa("manufacturing");
        builder = new LeafCertificateBuilder(mfg, "http://127.0.0.1:8080", KeyUsage.digitalSignature, KeyPurposeId.id_kp_clientAuth);
        csrs = BenchCsrs.make("dev-", 1024);
        parsed = ParsedCsr.parse(csrs[0]);
    }

    @TearDown(Level.Trial)
    public void teardown() {
        ca.close();
        store.close();
    }

    @State(Scope.Thread)
    public static class Cursor {
        int i;
    }

    @Benchmark
    public String verifyCsr(Cursor c) {
        ParsedCsr csr = ParsedCsr.parse(csrs[c.i++ & 1023]);
        CsrSignatures.verify(csr, KeyPolicy.check(csr.publicKey()));
        return CsrNames.deviceId(csr);
    }

    @Benchmark
    public byte[] buildAndSign() {
        Instant now = Instant.now();
        return builder.build(Serials.random(), now, now.plusSeconds(86400), LeafCertificateBuilder.commonName("dev-1"),
                LeafCertificateBuilder.uriName("urn:imprint:device:dev-1"), parsed.publicKey());
    }

    /** The store lookup every new-device issuance makes (no live certificate: the common case). */
    @Benchmark
    public int liveCertificateLookup(Cursor c) {
        return store.certificates().findLive("dev-" + (c.i++), "device", Instant.now()).size();
    }

    @Benchmark
    public byte[] verifyBuildSign(Cursor c) {
        ParsedCsr csr = ParsedCsr.parse(csrs[c.i++ & 1023]);
        CsrSignatures.verify(csr, KeyPolicy.check(csr.publicKey()));
        String id = CsrNames.deviceId(csr);
        Instant now = Instant.now();
        return builder.build(Serials.random(), now, now.plusSeconds(86400), LeafCertificateBuilder.commonName(id),
                LeafCertificateBuilder.uriName("urn:imprint:device:" + id), csr.publicKey());
    }
}
