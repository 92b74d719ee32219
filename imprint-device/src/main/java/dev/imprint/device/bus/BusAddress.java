package dev.imprint.device.bus;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * Where the bus is: {@code sim}, {@code tcp:HOST:PORT} (loopback only: the bus carries no
 * authentication, so it never leaves the machine), {@code unix:PATH} or {@code serial:PATH}.
 */
public record BusAddress(Kind kind, String host, int port, Path path) {
    public enum Kind { SIM, TCP, UNIX, SERIAL }

    /** @throws IllegalArgumentException with a sentence naming what is wrong */
    public static BusAddress parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("bus address missing: use sim, tcp:HOST:PORT, unix:PATH or serial:PATH");
        }
        if (spec.equals("sim")) {
            return new BusAddress(Kind.SIM, null, 0, null);
        }
        if (spec.startsWith("unix:") && spec.length() > 5) {
            return new BusAddress(Kind.UNIX, null, 0, Path.of(spec.substring(5)));
        }
        if (spec.startsWith("serial:") && spec.length() > 7) {
            return new BusAddress(Kind.SERIAL, null, 0, Path.of(spec.substring(7)));
        }
        if (spec.startsWith("tcp:")) {
            String rest = spec.substring(4);
            int colon = rest.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("tcp bus address must be tcp:HOST:PORT, got " + spec);
            }
            String host = rest.substring(0, colon).replace("[", "").replace("]", "");
            int port;
            try {
                port = Integer.parseInt(rest.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad port in " + spec);
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range in " + spec);
            }
            try {
                if (!InetAddress.getByName(host).isLoopbackAddress()) {
                    throw new IllegalArgumentException("the bus is unauthenticated and binds to loopback only; " + host + " is not a loopback address");
                }
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("unknown host " + host);
            }
            return new BusAddress(Kind.TCP, host, port, null);
        }
        throw new IllegalArgumentException("unknown bus '" + spec + "': use sim, tcp:HOST:PORT, unix:PATH or serial:PATH");
    }

    @Override
    public String toString() {
        return switch (kind) {
            case SIM -> "sim";
            case TCP -> "tcp:" + host + ":" + port;
            case UNIX -> "unix:" + path;
            case SERIAL -> "serial:" + path;
        };
    }
}
