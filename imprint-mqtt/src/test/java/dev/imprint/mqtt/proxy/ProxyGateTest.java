package dev.imprint.mqtt.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gate's decisions on {@code EmbeddedChannel}s whose TCP peer is a balancer or a stranger. */
class ProxyGateTest {
    private static final InetSocketAddress BALANCER = new InetSocketAddress("127.0.0.30", 51000);
    private static final InetSocketAddress STRANGER = new InetSocketAddress("127.0.0.99", 52000);
    private static final Balancers BALANCERS = Balancers.parse("127.0.0.30, 10.1.0.0/16");
    /** What a TLS client sends first: a handshake record header and a little of a ClientHello. */
    private static final byte[] CLIENT_HELLO = {0x16, 0x03, 0x01, 0x00, (byte) 0xF4, 0x01, 0x00, 0x00, (byte) 0xF0, 0x03, 0x03, 0x11, 0x22, 0x33};

    private final List<String> refusals = new ArrayList<>();

    @Test
    void balancer_with_v2_header_passes_the_tls_bytes_and_records_the_device_address() {
        EmbeddedChannel ch = channel(BALANCER, false);
        ch.writeInbound(Unpooled.wrappedBuffer(v2("203.0.113.7", 40000), Unpooled.wrappedBuffer(CLIENT_HELLO)));
        assertThat(refusals).isEmpty();
        assertThat(ch.isOpen()).isTrue();
        assertThat(readAll(ch)).isEqualTo(CLIENT_HELLO);
        assertThat(ProxiedAddress.remoteOf(ch)).isEqualTo(new InetSocketAddress("203.0.113.7", 40000));
        assertThat(ch.pipeline().names()).doesNotContain(ProxyGate.NAME, ProxyHeaderHandler.NAME, ProxyHeaderHandler.DECODER);
    }

    @Test
    void balancer_with_v1_header_split_over_reads_passes() {
        EmbeddedChannel ch = channel(BALANCER, false);
        byte[] header = "PROXY TCP4 198.51.100.4 127.0.0.30 41000 8883\r\n".getBytes(StandardCharsets.US_ASCII);
        ch.writeInbound(Unpooled.wrappedBuffer(header, 0, 4));
        ch.writeInbound(Unpooled.wrappedBuffer(header, 4, header.length - 4));
        ch.writeInbound(Unpooled.wrappedBuffer(CLIENT_HELLO));
        assertThat(refusals).isEmpty();
        assertThat(readAll(ch)).isEqualTo(CLIENT_HELLO);
        assertThat(ProxiedAddress.remoteOf(ch)).isEqualTo(new InetSocketAddress("198.51.100.4", 41000));
    }

    @Test
    void balancer_in_a_cidr_is_a_balancer() {
        EmbeddedChannel ch = channel(new InetSocketAddress("10.1.2.3", 50000), false);
        ch.writeInbound(Unpooled.wrappedBuffer(CLIENT_HELLO));
        assertThat(refusals).containsExactly("PROXY_HEADER_MISSING");
    }

    @Test
    void balancer_without_header_is_refused() {
        EmbeddedChannel ch = channel(BALANCER, false);
        ch.writeInbound(Unpooled.wrappedBuffer(CLIENT_HELLO));
        assertThat(refusals).containsExactly("PROXY_HEADER_MISSING");
        assertThat(ch.isOpen()).isFalse();
        assertThat((Object) ch.readInbound()).isNull();
    }

    @Test
    void balancer_health_check_with_local_command_keeps_the_tcp_peer() {
        EmbeddedChannel ch = channel(BALANCER, false);
        ch.writeInbound(encode(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.LOCAL, HAProxyProxiedProtocol.UNKNOWN,
                null, null, 0, 0)));
        ch.writeInbound(Unpooled.wrappedBuffer(CLIENT_HELLO));
        assertThat(refusals).isEmpty();
        assertThat(readAll(ch)).isEqualTo(CLIENT_HELLO);
        assertThat(ProxiedAddress.remoteOf(ch)).isEqualTo(BALANCER);
    }

    @Test
    void malformed_header_from_a_balancer_is_refused() {
        EmbeddedChannel ch = channel(BALANCER, false);
        ByteBuf bad = v2("203.0.113.7", 40000);
        bad.setByte(12, 0x31); // version 3: not a PROXY protocol version
        ch.writeInbound(Unpooled.wrappedBuffer(bad, Unpooled.wrappedBuffer(CLIENT_HELLO)));
        assertThat(refusals).containsExactly("PROXY_HEADER_MALFORMED");
        assertThat(ch.isOpen()).isFalse();
        assertThat((Object) ch.readInbound()).isNull();
    }

    @Test
    void udp_header_from_a_balancer_is_refused() {
        EmbeddedChannel ch = channel(BALANCER, false);
        ch.writeInbound(encode(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY, HAProxyProxiedProtocol.UDP4,
                "203.0.113.7", "127.0.0.30", 40000, 8883)));
        assertThat(refusals).containsExactly("PROXY_HEADER_MALFORMED");
    }

    @Test
    void stranger_with_v2_header_is_refused() {
        EmbeddedChannel ch = channel(STRANGER, false);
        ch.writeInbound(Unpooled.wrappedBuffer(v2("203.0.113.7", 40000), Unpooled.wrappedBuffer(CLIENT_HELLO)));
        assertThat(refusals).containsExactly("PROXY_NOT_ALLOWED");
        assertThat(ch.isOpen()).isFalse();
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ProxiedAddress.remoteOf(ch)).isEqualTo(STRANGER);
    }

    @Test
    void stranger_with_v1_header_is_refused() {
        EmbeddedChannel ch = channel(STRANGER, false);
        ch.writeInbound(Unpooled.copiedBuffer("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n", StandardCharsets.US_ASCII));
        assertThat(refusals).containsExactly("PROXY_NOT_ALLOWED");
    }

    @Test
    void stranger_without_header_goes_to_tls_untouched() {
        EmbeddedChannel ch = channel(STRANGER, false);
        ch.writeInbound(Unpooled.wrappedBuffer(CLIENT_HELLO, 0, 5));
        ch.writeInbound(Unpooled.wrappedBuffer(CLIENT_HELLO, 5, CLIENT_HELLO.length - 5));
        assertThat(refusals).isEmpty();
        assertThat(readAll(ch)).isEqualTo(CLIENT_HELLO);
        assertThat(ProxiedAddress.remoteOf(ch)).isEqualTo(STRANGER);
        assertThat(ch.pipeline().names()).doesNotContain(ProxyGate.NAME);
    }

    @Test
    void no_balancers_means_no_gate() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ProxyGate.install(ch, Balancers.none(), (c, r, d) -> refusals.add(r.name()), false);
        assertThat(ch.pipeline().names()).doesNotContain(ProxyGate.NAME);
    }

    @Test
    void forwarding_gate_hands_a_local_header_for_a_direct_client() {
        EmbeddedChannel ch = channel(STRANGER, true);
        ch.writeInbound(Unpooled.wrappedBuffer(CLIENT_HELLO));
        HAProxyMessage m = decodeForwarded(readAll(ch));
        assertThat(m.command()).isEqualTo(HAProxyCommand.LOCAL);
    }

    @Test
    void forwarding_gate_hands_a_fresh_header_with_the_device_address_for_a_balancer() {
        EmbeddedChannel ch = channel(BALANCER, true);
        ch.writeInbound(Unpooled.wrappedBuffer(v2("203.0.113.7", 40000), Unpooled.wrappedBuffer(CLIENT_HELLO)));
        HAProxyMessage m = decodeForwarded(readAll(ch));
        assertThat(m.command()).isEqualTo(HAProxyCommand.PROXY);
        assertThat(m.sourceAddress()).isEqualTo("203.0.113.7");
        assertThat(m.sourcePort()).isEqualTo(40000);
        assertThat(m.destinationAddress()).isEqualTo("127.0.0.30");
    }

    @Test
    void balancers_parse_ips_and_cidrs_and_name_every_bad_entry() {
        Balancers b = Balancers.parse("127.0.0.30,10.0.0.0/8,::1");
        assertThat(b.contains(new InetSocketAddress("10.200.0.1", 1))).isTrue();
        assertThat(b.contains(new InetSocketAddress("::1", 1))).isTrue();
        assertThat(b.contains(new InetSocketAddress("127.0.0.31", 1))).isFalse();
        assertThat(Balancers.parse("").isEmpty()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Balancers.parse("lb.example,10.0.0.0/33,1.2.3.4"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lb.example").hasMessageContaining("10.0.0.0/33");
    }

    // ---- helpers ------------------------------------------------------------------------

    private EmbeddedChannel channel(InetSocketAddress peer, boolean forward) {
        EmbeddedChannel ch = new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
                return peer;
            }
        };
        ProxyGate.install(ch, BALANCERS, (c, reason, detail) -> {
            refusals.add(reason.name());
            c.close();
        }, forward);
        return ch;
    }

    private static ByteBuf v2(String source, int port) {
        return encode(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY, HAProxyProxiedProtocol.TCP4,
                source, "127.0.0.30", port, 8883));
    }

    private static ByteBuf encode(HAProxyMessage m) {
        EmbeddedChannel enc = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        enc.writeOutbound(m);
        return enc.readOutbound();
    }

    private static byte[] readAll(EmbeddedChannel ch) {
        ByteBuf all = Unpooled.buffer();
        for (Object o; (o = ch.readInbound()) != null; ) {
            all.writeBytes((ByteBuf) o);
            ((ByteBuf) o).release();
        }
        return ByteBufUtil.getBytes(all);
    }

    /** Reads what a forwarding gate emitted with Netty's own decoder; the client's bytes must follow unchanged. */
    private static HAProxyMessage decodeForwarded(byte[] bytes) {
        EmbeddedChannel dec = new EmbeddedChannel(new HAProxyMessageDecoder());
        dec.writeInbound(Unpooled.wrappedBuffer(bytes));
        HAProxyMessage m = dec.readInbound();
        assertThat(readAll(dec)).isEqualTo(CLIENT_HELLO);
        return m;
    }
}
