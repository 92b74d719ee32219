package dev.imprint.device.bus;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Opening the device's end of a bus. */
public final class Buses {
    private Buses() {}

    /**
     * Connects to the station (tcp, unix) or opens the serial line.
     *
     * @throws BusException IO when nothing listens there or the line cannot be opened;
     *     PROTOCOL for {@code sim} (in-process only)
     */
    public static BusChannel connect(BusAddress address, Duration timeout) {
        try {
            return switch (address.kind()) {
                case SIM -> throw new BusException(BusException.Reason.PROTOCOL, "the sim bus exists only inside the station process");
                case TCP -> socket(SocketChannel.open(), new InetSocketAddress(address.host(), address.port()), address.toString(), timeout);
                case UNIX -> socket(SocketChannel.open(StandardProtocolFamily.UNIX), UnixDomainSocketAddress.of(address.path()),
                        address.toString(), timeout);
                case SERIAL -> serial(address.path());
            };
        } catch (IOException e) {
            throw new BusException(BusException.Reason.IO, "cannot open " + address + ": " + e.getMessage(), e);
        }
    }

    private static BusChannel socket(SocketChannel ch, java.net.SocketAddress to, String name, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                ch.connect(to);
                return over(ch, name);
            } catch (IOException e) {
                // the station may still be starting: retry until the deadline
                ch.close();
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                sleep(50);
                ch = to instanceof UnixDomainSocketAddress ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
            }
        }
    }

    /** A connected socket channel as a bus channel (station and device side alike). */
    public static BusChannel over(SocketChannel ch, String peer) {
        InputStream in = Channels.newInputStream(ch);
        OutputStream out = Channels.newOutputStream(ch);
        return StreamChannel.connection(in, out, ch, peer);
    }

    /** Opens a serial line (a tty or pseudo-terminal) read-write, in raw mode when {@code stty} is there. */
    public static BusChannel serial(Path device) throws IOException {
        rawMode(device);
        RandomAccessFile f = new RandomAccessFile(device.toFile(), "rw");
        InputStream in = new java.io.FileInputStream(f.getFD());
        OutputStream out = new java.io.FileOutputStream(f.getFD());
        return StreamChannel.line(in, out, f, "serial:" + device);
    }

    private static void rawMode(Path device) {
        try {
            Process p = new ProcessBuilder("stty", "-F", device.toString(), "raw", "-echo").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            // no stty: a pseudo-terminal made raw by its creator still works
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
