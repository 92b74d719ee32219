package dev.imprint.ca;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.imprint.pki.CryptoProviders;
import dev.imprint.testkit.TempDirs;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PKCS#10 parsing and the issuance rules of a station enrollment, on a real CA and SQLite store:
 * any bytes are either a certificate that follows the profile (the CSR's own key, signed by
 * that key, an allowed device ID, no CA rights) or a refusal with its reason code, never an
 * internal error or another exception.
 */
class CsrIssuanceFuzzTest {
    static final Path DIR = TempDirs.create("csr-fuzz");
    static final CaFixture CA = new CaFixture(DIR);

    static {
        CA.ca.stations().create("line-1", "dev-[0-9]+", 0, 0, "admin:fuzz");
    }

    /** Real CSRs, made now: EC P-256, P-384, RSA 2048, with SAN URI, one asking for CA rights, one with a foreign name. */
    static Stream<byte[]> seeds() throws Exception {
        return Stream.of(
                CaFixture.csr("dev-1"),
                CaFixture.csr(CaFixture.ec("secp384r1"), "SHA384withECDSA", "CN=dev-2", null),
                CaFixture.csr(CaFixture.rsa(2048), "SHA256withRSA", "CN=dev-3", null),
                CaFixture.csr(CaFixture.ec256(), "SHA256withECDSA", "CN=dev-4",
                        CaFixture.san(new GeneralName(GeneralName.uniformResourceIdentifier, "urn:imprint:device:dev-4"))),
                CaFixture.csr(CaFixture.ec256(), "SHA256withECDSA", "CN=dev-5",
                        CaFixture.san(new GeneralName(GeneralName.dNSName, "evil.example"))),
                CaFixture.csr(CaFixture.ec256(), "SHA256withECDSA", "CN=other-6", null));
    }

    @MethodSource("seeds")
    @FuzzTest
    void any_csr_is_a_profile_certificate_or_a_refusal_with_a_reason(byte[] der) {
        IssuedCertificate issued;
        try {
            issued = CA.ca.issue(IssuanceRequest.byStation("line-1", der));
        } catch (CaException e) {
            assertThat(e.reason()).as(e.getMessage()).isNotEqualTo(CaException.Reason.INTERNAL_ERROR);
            return;
        }
        X509Certificate cert = issued.certificate();
        assertThat(issued.deviceId()).matches("dev-[0-9]+");
        assertThat(cert.getBasicConstraints()).as("no CA rights").isEqualTo(-1);
        PKCS10CertificationRequest csr = parsedAndSigned(der);
        assertThat(csr).as("issued for a CSR whose signature does not verify").isNotNull();
        try {
            assertThat(cert.getPublicKey().getEncoded()).isEqualTo(csr.getSubjectPublicKeyInfo().getEncoded());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The independent oracle: Bouncy Castle's own PKCS#10 parser and signature check. */
    static PKCS10CertificationRequest parsedAndSigned(byte[] der) {
        try {
            PKCS10CertificationRequest csr = new PKCS10CertificationRequest(der);
            boolean ok = csr.isSignatureValid(new JcaContentVerifierProviderBuilder()
                    .setProvider(CryptoProviders.bouncyCastle()).build(csr.getSubjectPublicKeyInfo()));
            return ok ? csr : null;
        } catch (Exception e) {
            return null;
        }
    }


    @AfterAll
    static void close() throws IOException {
        CA.close();
        TempDirs.delete(DIR);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
