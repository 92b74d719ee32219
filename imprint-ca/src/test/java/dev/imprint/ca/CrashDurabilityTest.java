package dev.imprint.ca;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.pki.Pem;
import dev.imprint.store.AuditEvent;
import dev.imprint.store.CertificateRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 during a stream of issuances: every certificate a caller received is recorded, every
 * recorded certificate and revocation has its audit entry; CRL numbers never go back.
 */
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
                    "-Dimprint.keyFile.iterations=1000", "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(), tmp.toString())
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
                assertEveryRecordHasItsAuditEntry(f);
            }
        }
        assertThat(received).hasSizeGreaterThanOrEqualTo(600);
    }

    /**
     * Issuance and revocation write the record and its audit entry in one transaction: after the
     * kill, every recorded certificate is in exactly one cert.issued entry, every serial those
     * entries list is recorded, and every revocation has its cert.revoked entry.
     */
    private static void assertEveryRecordHasItsAuditEntry(CaFixture f) {
        Map<String, Integer> issued = new HashMap<>();
        Set<String> revokedAudit = new HashSet<>();
        for (AuditEvent e : f.store.audit().list(0, Integer.MAX_VALUE)) {
            if (e.type().equals("cert.issued")) {
                Matcher m = SERIAL.matcher(e.detailsJson());
                while (m.find()) {
                    issued.merge(m.group(1), 1, Integer::sum);
                }
            } else if (e.type().equals("cert.revoked")) {
                revokedAudit.add(e.subject());
            }
        }
        List<CertificateRecord> all = f.store.certificates().list(null, Integer.MAX_VALUE, 0);
        assertThat(all).isNotEmpty();
        Set<String> recorded = new HashSet<>();
        for (CertificateRecord r : all) {
            recorded.add(r.serialHex());
            assertThat(issued.get(r.serialHex())).as("cert.issued entries listing " + r.serialHex()).isEqualTo(1);
            if (r.revoked()) {
                assertThat(revokedAudit).as("cert.revoked entry of " + r.serialHex()).contains(r.serialHex());
            }
        }
        assertThat(recorded).as("serials audited as issued are recorded").containsAll(issued.keySet());
        assertThat(all.stream().filter(CertificateRecord::revoked).map(CertificateRecord::serialHex))
                .as("revocations audited are recorded").containsExactlyInAnyOrderElementsOf(revokedAudit);
    }

    private static final Pattern SERIAL = Pattern.compile("\"serial\":\"([0-9a-f]+)\"");

    private static long number(byte[] crl) {
        var x = Pem.readCrl(crl);
        return CRLNumber.getInstance(ASN1OctetString.getInstance(x.getExtensionValue(Extension.cRLNumber.getId())).getOctets())
                .getCRLNumber().longValueExact();
    }
}
