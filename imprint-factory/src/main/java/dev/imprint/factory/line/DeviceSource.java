package dev.imprint.factory.line;

import dev.imprint.device.bus.BusChannel;
import java.time.Duration;

/** Where the station's next device comes from: the simulator, a socket listener or a serial line. */
public interface DeviceSource extends AutoCloseable {

    /** The next device's channel, or null when none arrived within {@code wait}. */
    BusChannel next(Duration wait);

    /** Most devices served at once (a serial line serves one). */
    default int maxParallel() {
        return Integer.MAX_VALUE;
    }

    @Override
    void close();
}
