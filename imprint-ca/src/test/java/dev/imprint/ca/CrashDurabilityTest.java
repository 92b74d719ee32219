package dev.imprint.ca;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.pki.Pem;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kill -9 during a stream of issuances: every certificate a caller received is recorded; CRL numbers never go back. */
class CrashDurabilityTest {
    @TempDir
    Path tmp;

    @Test
    void every_certificate_handed_out_survives_kill_9() throws Exception {
        new CaFixture(tmp).close(); // create the hierarchy once
        Set<String> received = new HashSet<>();
        long lastCrlNumber = 0;
        for (int round = 0; round < 2; round++) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(), tmp.toString())
                    .redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
            long deadline = System.currentTimeMillis() + 60_000;
            int got = 0;
            String line;
            while ((line = out.readLine()) != null && got < 300 && System.currentTimeMillis() < deadline) {
                if (line.startsWith("GOT ")) {
                    received.add(line.substring(4));
                    got++;
                }
            }
            // SIGKILL by PID, keeping our end of the pipe open to read what it printed before dying
            new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).start().waitFor(10, TimeUnit.SECONDS);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            // whatever it printed before dying was received by a caller
            while ((line = out.readLine()) != null) {
                if (line.startsWith("GOT ")) {
                    received.add(line.substring(4));
                }
            }
            assertThat(got).as("child issued before the kill").isGreaterThan(0);
            try (CaFixture f = new CaFixture(tmp)) {
                for (String serial : received) {
                    assertThat(f.store.certificates().findBySerial(serial)).as("serial " + serial + " recorded").isPresent();
                }
                long n = number(f.ca.revocation().crl("manufacturing"));
                assertThat(n).isGreaterThan(lastCrlNumber);
                lastCrlNumber = number(f.ca.revocation().deltaCrl("manufacturing"));
                assertThat(f.ca.verifyAudit()).isEmpty();
            }
        }
        assertThat(received).hasSizeGreaterThanOrEqualTo(600);
    }

    private static long number(byte[] crl) {
        var x = Pem.readCrl(crl);
        return CRLNumber.getInstance(ASN1OctetString.getInstance(x.getExtensionValue(Extension.cRLNumber.getId())).getOctets())
                .getCRLNumber().longValueExact();
    }
}
