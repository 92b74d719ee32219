package dev.imprint.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imprint.device.bus.BusException;
import dev.imprint.device.bus.Frame;
import dev.imprint.device.bus.FrameType;
import dev.imprint.device.bus.SimLink;
import dev.imprint.pki.Pem;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.CompletableFuture;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The device side against a scripted station on the sim bus. */
@Timeout(20)
class DeviceTest {
    private static final Duration T = Duration.ofSeconds(5);
    private static final DeviceKey CA = DeviceKey.generate();

    static X509Certificate certFor(PublicKey key, String id) throws Exception {
        var b = new JcaX509v3CertificateBuilder(new X500Name("CN=test-ca"), BigInteger.valueOf(System.nanoTime()),
                Date.from(Instant.now().minusSeconds(60)), Date.from(Instant.now().plusSeconds(3600)), new X500Name("CN=" + id), key);
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(CA.privateKey())));
    }

    /** A station that issues for the CSR's key (or for {@code otherKey}) and checks the proof. */
    static CompletableFuture<Boolean> station(SimLink end, PublicKey otherKey) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                end.receive(T).expect(FrameType.HELLO);
                end.send(Frame.text(FrameType.ASSIGN, "dev-00000001"));
                var csr = new JcaPKCS10CertificationRequest(new PKCS10CertificationRequest(end.receive(T).expect(FrameType.CSR).payload()));
                X509Certificate cert = certFor(otherKey != null ? otherKey : csr.getPublicKey(), "dev-00000001");
                byte[] nonce = new byte[32];
                new java.security.SecureRandom().nextBytes(nonce);
                byte[] pem = Pem.write(cert).getBytes(StandardCharsets.US_ASCII);
                byte[] payload = new byte[32 + pem.length];
                System.arraycopy(nonce, 0, payload, 0, 32);
                System.arraycopy(pem, 0, payload, 32, pem.length);
                end.send(new Frame(FrameType.CERT, payload));
                Frame proof = end.receive(T);
                if (proof.type() != FrameType.PROOF) {
                    return false;
                }
                boolean ok = PossessionProof.verify(cert.getPublicKey(), nonce, cert.getEncoded(), proof.payload());
                end.send(ok ? new Frame(FrameType.DONE, null) : Frame.error("POSSESSION_NOT_PROVED", ""));
                return ok;
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void joins_installs_and_proves_possession(@TempDir Path dir) throws Exception {
        SimLink[] link = SimLink.pair("t");
        var st = station(link[0], null);
        FolderState state = new FolderState(dir);
        Device.JoinResult r = new Device(state).factoryJoin(link[1], T);
        assertThat(st.get()).isTrue();
        assertThat(r.deviceId()).isEqualTo("dev-00000001");
        assertThat(state.provisioned()).isTrue();
        assertThat(state.deviceId()).contains("dev-00000001");
        // the key survives a restart of the device
        assertThat(new FolderState(dir).key().matches(state.chain().get(0).getPublicKey())).isTrue();
    }

    @Test
    void refuses_a_certificate_for_another_key(@TempDir Path dir) throws Exception {
        SimLink[] link = SimLink.pair("t");
        var st = station(link[0], DeviceKey.generate().publicKey());
        FolderState state = new FolderState(dir);
        assertThatThrownBy(() -> new Device(state).factoryJoin(link[1], T)).isInstanceOf(BusException.class)
                .hasMessageContaining("KEY_MISMATCH");
        assertThat(st.get()).isFalse();
        assertThat(state.chain()).isEmpty();
        assertThat(state.provisioned()).isFalse();
    }

    @Test
    void possession_proof_fails_for_another_nonce_or_key() throws Exception {
        DeviceKey k = DeviceKey.generate();
        byte[] nonce = new byte[32];
        byte[] cert = {1, 2, 3};
        byte[] sig = PossessionProof.sign(k, nonce, cert);
        assertThat(PossessionProof.verify(k.publicKey(), nonce, cert, sig)).isTrue();
        nonce[0] = 1;
        assertThat(PossessionProof.verify(k.publicKey(), nonce, cert, sig)).isFalse();
        assertThat(PossessionProof.verify(DeviceKey.generate().publicKey(), new byte[32], cert, sig)).isFalse();
        assertThat(PossessionProof.verify(k.publicKey(), new byte[32], cert, new byte[] {0x30, 0})).isFalse();
    }
}
