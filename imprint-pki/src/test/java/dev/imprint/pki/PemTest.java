package dev.imprint.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTest {

    @Test
    void private_keys_are_written_as_pkcs8_that_openssl_reads(@TempDir Path dir) throws Exception {
        for (KeyAlgorithm alg : new KeyAlgorithm[] {KeyAlgorithm.EC_P256, KeyAlgorithm.EC_P384, KeyAlgorithm.ED25519}) {
            KeyPair kp = alg.generate();
            String pem = Pem.write(kp.getPrivate());
            assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----");
            assertThat(sameKey(Pem.readPrivateKey(pem, null), kp, alg)).isTrue();
            Path f = dir.resolve(alg + ".key");
            Files.writeString(f, pem, StandardCharsets.US_ASCII);
            assertThat(openssl("pkey", "-in", f.toString(), "-noout")).as("openssl reads %s", alg).isZero();
        }
    }

    @Test
    void encrypted_keys_need_the_right_passphrase() throws Exception {
        KeyPair kp = KeyAlgorithm.EC_P256.generate();
        String pem = Pem.writeEncryptedKey(kp.getPrivate(), "right".toCharArray());
        assertThat(pem).contains("ENCRYPTED PRIVATE KEY");
        assertThat(sameKey(Pem.readPrivateKey(pem, "right".toCharArray()), kp, KeyAlgorithm.EC_P256)).isTrue();
        assertThatThrownBy(() -> Pem.readPrivateKey(pem, "wrong".toCharArray())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Pem.readPrivateKey(pem, null)).hasMessageContaining("passphrase");
    }

    /** Encodings may differ (optional fields); what matters is that the key signs for the public key. */
    private static boolean sameKey(java.security.PrivateKey read, KeyPair kp, KeyAlgorithm alg) throws Exception {
        byte[] data = "imprint".getBytes(StandardCharsets.US_ASCII);
        java.security.Signature s = java.security.Signature.getInstance(alg.signatureAlgorithm(), CryptoProviders.bouncyCastle());
        s.initSign(read);
        s.update(data);
        byte[] sig = s.sign();
        java.security.Signature v = java.security.Signature.getInstance(alg.signatureAlgorithm(), CryptoProviders.bouncyCastle());
        v.initVerify(kp.getPublic());
        v.update(data);
        return v.verify(sig);
    }

    private static int openssl(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "openssl";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            Assumptions.abort("openssl not installed: " + e.getMessage());
            return -1;
        }
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }
}
