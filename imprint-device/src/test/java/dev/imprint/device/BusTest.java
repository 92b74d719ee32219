package dev.imprint.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imprint.device.bus.BusAddress;
import dev.imprint.device.bus.BusChannel;
import dev.imprint.device.bus.BusException;
import dev.imprint.device.bus.Frame;
import dev.imprint.device.bus.FrameCodec;
import dev.imprint.device.bus.FrameType;
import dev.imprint.device.bus.SimLink;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import dev.imprint.device.bus.Buses;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class BusTest {
    private static final Duration T = Duration.ofSeconds(2);

    /** A channel reading {@code bytes} (then EOF when {@code close}). */
    private static BusChannel reading(byte[] bytes, boolean close) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel client = SocketChannel.open(server.getLocalAddress());
            SocketChannel peer = server.accept();
            peer.write(ByteBuffer.wrap(bytes));
            if (close) {
                peer.close();
            } else {
                OPEN.add(peer);
            }
            return Buses.over(client, "test");
        }
    }

    private static final java.util.List<SocketChannel> OPEN = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static byte[] encode(Frame f) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        FrameCodec.write(b, f);
        return b.toByteArray();
    }

    @Test
    void frames_round_trip_over_a_stream() throws Exception {
        BusChannel ch = reading(encode(Frame.text(FrameType.HELLO, "dev-1")), false);
        Frame f = ch.receive(T);
        assertThat(f.type()).isEqualTo(FrameType.HELLO);
        assertThat(f.text()).isEqualTo("dev-1");
    }

    @Test
    void rejects_garbage_with_bad_magic() throws Exception {
        BusChannel ch = reading("GET / HTTP/1.1\r\n".getBytes(), false);
        assertThatThrownBy(() -> ch.receive(T)).isInstanceOfSatisfying(BusException.class,
                e -> assertThat(e.reason()).isEqualTo(BusException.Reason.BAD_MAGIC));
    }

    @Test
    void rejects_an_oversized_frame_before_reading_it() throws Exception {
        BusChannel ch = reading(new byte[] {'I', 'F', 1, 3, 0x7f, 0, 0, 0}, false);
        assertThatThrownBy(() -> ch.receive(T)).isInstanceOfSatisfying(BusException.class,
                e -> assertThat(e.reason()).isEqualTo(BusException.Reason.FRAME_TOO_LARGE));
    }

    @Test
    void rejects_unknown_type_and_version() throws Exception {
        assertThatThrownBy(() -> reading(new byte[] {'I', 'F', 1, 99, 0, 0, 0, 0}, false).receive(T))
                .isInstanceOfSatisfying(BusException.class, e -> assertThat(e.reason()).isEqualTo(BusException.Reason.UNKNOWN_TYPE));
        assertThatThrownBy(() -> reading(new byte[] {'I', 'F', 7, 1, 0, 0, 0, 0}, false).receive(T))
                .isInstanceOfSatisfying(BusException.class, e -> assertThat(e.reason()).isEqualTo(BusException.Reason.BAD_VERSION));
    }

    @Test
    void times_out_on_a_silent_or_half_sent_frame() throws Exception {
        BusChannel ch = reading(new byte[] {'I', 'F', 1}, false);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> ch.receive(Duration.ofMillis(300))).isInstanceOfSatisfying(BusException.class,
                e -> assertThat(e.reason()).isEqualTo(BusException.Reason.TIMEOUT));
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(3000);
    }

    @Test
    void reports_a_hang_up() throws Exception {
        assertThatThrownBy(() -> reading(new byte[] {'I', 'F'}, true).receive(T)).isInstanceOfSatisfying(BusException.class,
                e -> assertThat(e.reason()).isEqualTo(BusException.Reason.CLOSED));
    }

    @Test
    void sim_link_carries_frames_and_hang_ups() {
        SimLink[] p = SimLink.pair("x");
        p[1].send(Frame.text(FrameType.HELLO, ""));
        assertThat(p[0].receive(T).type()).isEqualTo(FrameType.HELLO);
        p[1].close();
        assertThatThrownBy(() -> p[0].receive(T)).isInstanceOfSatisfying(BusException.class,
                e -> assertThat(e.reason()).isEqualTo(BusException.Reason.CLOSED));
    }

    @Test
    void peer_error_frames_carry_the_peer_code() {
        assertThatThrownBy(() -> Frame.error("ID_NOT_ALLOWED", "outside the range").expect(FrameType.ASSIGN))
                .isInstanceOfSatisfying(BusException.class, e -> assertThat(e.code()).isEqualTo("ID_NOT_ALLOWED"));
    }

    @Test
    void bus_addresses_parse_and_tcp_is_loopback_only() {
        assertThat(BusAddress.parse("tcp:127.0.0.1:9000").port()).isEqualTo(9000);
        assertThat(BusAddress.parse("unix:/tmp/x.sock").kind()).isEqualTo(BusAddress.Kind.UNIX);
        assertThat(BusAddress.parse("serial:/dev/ttyUSB0").kind()).isEqualTo(BusAddress.Kind.SERIAL);
        assertThatThrownBy(() -> BusAddress.parse("tcp:192.0.2.1:9000")).hasMessageContaining("loopback");
        assertThatThrownBy(() -> BusAddress.parse("carrier-pigeon")).hasMessageContaining("unknown bus");
    }
}
