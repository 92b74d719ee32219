package dev.imprint.pki.validation.limbo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.pki.Pem;
import dev.imprint.testkit.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyToolTest {
    @TempDir
    Path dir;

    @Test
    void exits_zero_for_a_good_chain_and_one_with_reason_for_a_revoked_one() throws Exception {
        TestPki pki = TestPki.create();
        TestPki.Issued good = pki.device("dev-1");
        TestPki.Issued bad = pki.revokedDevice("dev-2");
        Path trust = write("root.pem", Pem.write(pki.root()));
        Path goodChain = write("good.pem", Pem.write(good.chain()));
        Path badChain = write("bad.pem", Pem.write(bad.chain()));
        Path crl = write("crl.pem", Pem.write(pki.crl()));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = VerifyTool.verify(new VerifyTool.Options(trust, goodChain, List.of(crl), null, "clientAuth", null, true),
                new PrintStream(out), System.err);
        assertThat(rc).isEqualTo(VerifyTool.ACCEPTED);
        assertThat(out.toString()).contains("\"accepted\":true").contains("urn:imprint:device:dev-1");

        out.reset();
        rc = VerifyTool.verify(new VerifyTool.Options(trust, badChain, List.of(crl), null, null, null, false),
                new PrintStream(out), System.err);
        assertThat(rc).isEqualTo(VerifyTool.REFUSED);
        assertThat(out.toString()).contains("REFUSED step=3").contains("reason=REVOKED");
    }

    @Test
    void exits_two_on_unreadable_input() throws Exception {
        Path junk = write("junk.pem", "not a certificate");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = VerifyTool.verify(new VerifyTool.Options(junk, dir.resolve("missing.pem"), null, null, null, null, false),
                System.out, new PrintStream(err));
        assertThat(rc).isEqualTo(VerifyTool.BAD_INPUT);
    }

    private Path write(String name, String content) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }
}
