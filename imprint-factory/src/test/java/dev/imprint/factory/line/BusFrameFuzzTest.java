package dev.imprint.factory.line;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.imprint.device.bus.BusChannel;
import dev.imprint.device.bus.BusException;
import dev.imprint.device.bus.Frame;
import dev.imprint.device.bus.FrameCodec;
import dev.imprint.device.bus.FrameType;
import dev.imprint.device.bus.StreamChannel;
import dev.imprint.pki.KeyAlgorithm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The factory bus frame codec as the station reads a device (a socket, or a serial line when the
 * first byte is odd): the bytes of one conversation, HELLO, CSR, PROOF in the station's order.
 * Each read is a frame or a {@link BusException} with its reason, never another exception, never
 * a payload over the limit, and never a wait past the step's deadline.
 */
class BusFrameFuzzTest {
    static final Duration STEP = Duration.ofSeconds(2);
    /** A serial line has no end: what did not arrive waits for the step's deadline, kept short here. */
    static final Duration LINE_STEP = Duration.ofMillis(5);
    static final List<FrameType> CONVERSATION = List.of(FrameType.HELLO, FrameType.CSR, FrameType.PROOF);

    /** Real conversations, encoded now by the codec: a device asking for an ID, one with its own ID, one that sends ERROR. */
    static Stream<byte[]> seeds() throws Exception {
        KeyPair kp = KeyAlgorithm.EC_P256.generate();
        byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=dev-1"), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
        byte[] proof = new byte[72];
        return Stream.of(
                encoded(0, Frame.text(FrameType.HELLO, ""), new Frame(FrameType.CSR, csr), new Frame(FrameType.PROOF, proof)),
                encoded(1, Frame.text(FrameType.HELLO, "dev-1"), new Frame(FrameType.CSR, csr), new Frame(FrameType.PROOF, proof)),
                encoded(0, Frame.text(FrameType.HELLO, "dev-2"), Frame.error("KEYGEN_FAILED", "no entropy")));
    }

    @MethodSource("seeds")
    @FuzzTest
    void any_bytes_from_a_device_are_frames_or_a_reason(byte[] data) {
        if (data.length == 0) {
            return;
        }
        ByteArrayInputStream in = new ByteArrayInputStream(data, 1, data.length - 1);
        BusChannel bus = (data[0] & 1) == 0
                ? StreamChannel.connection(in, OutputStream.nullOutputStream(), in, "fuzz")
                : StreamChannel.line(in, OutputStream.nullOutputStream(), in, "fuzz-serial");
        Duration step = (data[0] & 1) == 0 ? STEP : LINE_STEP;
        long start = System.nanoTime();
        try (bus) {
            for (FrameType expected : CONVERSATION) {
                Frame f = bus.receive(step);
                assertThat(f.payload().length).isLessThanOrEqualTo(FrameCodec.MAX_PAYLOAD);
                f.expect(expected).text();
            }
        } catch (BusException e) {
            assertThat(e.reason()).isNotNull();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(step.multipliedBy(CONVERSATION.size()).plusSeconds(1));
    }

    static byte[] encoded(int transport, Frame... frames) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(transport);
        for (Frame f : frames) {
            FrameCodec.write(out, f);
        }
        return out.toByteArray();
    }
}
