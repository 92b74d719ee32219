package dev.imprint.factory.line;

import dev.imprint.device.bus.BusAddress;
import dev.imprint.device.bus.BusChannel;
import dev.imprint.device.bus.Buses;
import dev.imprint.factory.FactoryException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.time.Duration;

/** Devices connecting to the station over TCP (loopback only) or a UNIX-domain socket. */
public final class SocketSource implements DeviceSource {
    private final ServerSocketChannel server;
    private final Selector selector;
    private final BusAddress address;

    private SocketSource(ServerSocketChannel server, BusAddress address) throws IOException {
        this.server = server;
        this.address = address;
        server.configureBlocking(false);
        this.selector = Selector.open();
        server.register(selector, SelectionKey.OP_ACCEPT);
    }

    /** @throws FactoryException BUS_UNAVAILABLE when the address is taken or not loopback */
    public static SocketSource listen(BusAddress a) {
        try {
            ServerSocketChannel s;
            if (a.kind() == BusAddress.Kind.UNIX) {
                // a socket file left by a crashed station would make bind fail
                Files.deleteIfExists(a.path());
                s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                s.bind(UnixDomainSocketAddress.of(a.path()));
            } else {
                s = ServerSocketChannel.open();
                s.bind(new InetSocketAddress(a.host(), a.port()));
            }
            return new SocketSource(s, a);
        } catch (IOException e) {
            throw new FactoryException("BUS_UNAVAILABLE", "cannot listen on " + a + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized BusChannel next(Duration wait) {
        try {
            SocketChannel c = server.accept();
            if (c == null && selector.select(Math.max(1, wait.toMillis())) > 0) {
                selector.selectedKeys().clear();
                c = server.accept();
            }
            if (c == null) {
                return null;
            }
            c.configureBlocking(true);
            String peer = address.kind() == BusAddress.Kind.UNIX ? address.toString() : String.valueOf(c.getRemoteAddress());
            return Buses.over(c, peer);
        } catch (IOException e) {
            throw new FactoryException("BUS_UNAVAILABLE", "accepting on " + address + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            selector.close();
            server.close();
            if (address.kind() == BusAddress.Kind.UNIX) {
                Files.deleteIfExists(address.path());
            }
        } catch (IOException ignored) {
            // closing
        }
    }
}
