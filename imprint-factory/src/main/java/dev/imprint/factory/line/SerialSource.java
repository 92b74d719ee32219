package dev.imprint.factory.line;

import dev.imprint.device.bus.BusChannel;
import dev.imprint.device.bus.Buses;
import dev.imprint.device.bus.Frame;
import dev.imprint.factory.FactoryException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One serial line (a programming fixture): devices come one after another on the same line.
 * The line stays open between devices; after garbage it is drained so the next device starts clean.
 */
public final class SerialSource implements DeviceSource {
    private final BusChannel line;

    private SerialSource(BusChannel line) {
        this.line = line;
    }

    /** @throws FactoryException BUS_UNAVAILABLE when the device path cannot be opened */
    public static SerialSource open(Path device) {
        try {
            return new SerialSource(Buses.serial(device));
        } catch (IOException e) {
            throw new FactoryException("BUS_UNAVAILABLE", "cannot open serial line " + device + ": " + e.getMessage(), e);
        }
    }

    @Override
    public BusChannel next(Duration wait) {
        // the conversation's own receive waits for HELLO; closing it must not close the line
        return new BusChannel() {
            @Override
            public Frame receive(Duration timeout) {
                return line.receive(timeout);
            }

            @Override
            public void send(Frame frame) {
                line.send(frame);
            }

            @Override
            public String peer() {
                return line.peer();
            }

            @Override
            public void resync() {
                line.resync();
            }

            @Override
            public void close() {
                line.resync();
            }
        };
    }

    @Override
    public int maxParallel() {
        return 1;
    }

    @Override
    public void close() {
        line.close();
    }
}
