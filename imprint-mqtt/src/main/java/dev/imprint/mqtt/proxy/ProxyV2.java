package dev.imprint.mqtt.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Writes the PROXY protocol v2 headers the gate hands to a consumer that always expects one
 * (see {@link ProxyGate#install}): LOCAL (keep the TCP endpoints) and PROXY over TCP.
 */
final class ProxyV2 {
    private static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private ProxyV2() {}

    static ByteBuf local(ByteBufAllocator alloc) {
        return alloc.buffer(16).writeBytes(SIGNATURE).writeByte(0x20).writeByte(0x00).writeShort(0);
    }

    static ByteBuf proxy(ByteBufAllocator alloc, InetSocketAddress source, InetSocketAddress dest) {
        boolean v4 = source.getAddress() instanceof Inet4Address && dest.getAddress() instanceof Inet4Address;
        int len = v4 ? 12 : 36;
        ByteBuf b = alloc.buffer(16 + len).writeBytes(SIGNATURE).writeByte(0x21).writeByte(v4 ? 0x11 : 0x21).writeShort(len);
        b.writeBytes(bytes(source.getAddress(), v4)).writeBytes(bytes(dest.getAddress(), v4));
        return b.writeShort(source.getPort()).writeShort(dest.getPort());
    }

    /** IPv4 as 4 bytes, or as 16 (IPv4-mapped) when the other end is IPv6. */
    private static byte[] bytes(InetAddress a, boolean v4) {
        byte[] raw = a.getAddress();
        if (v4 || raw.length == 16) {
            return raw;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        System.arraycopy(raw, 0, mapped, 12, 4);
        return mapped;
    }
}
