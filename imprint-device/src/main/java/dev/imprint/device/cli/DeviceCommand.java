package dev.imprint.device.cli;

import dev.imprint.device.Device;
import dev.imprint.device.FolderState;
import dev.imprint.device.bus.BusAddress;
import dev.imprint.device.bus.BusChannel;
import dev.imprint.device.bus.BusException;
import dev.imprint.device.bus.Buses;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imprint device ...}: the device side, as its own process. */
@Command(name = "device", mixinStandardHelpOptions = true, description = "Device commands: the device SDK as a process (factory-join, register, connect, send).",
        subcommands = {DeviceCommand.FactoryJoin.class, CloudCommands.Register.class, CloudCommands.Connect.class, CloudCommands.Send.class})
public final class DeviceCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Exit codes: 0 provisioned (or already was), 1 refused or failed, 2 usage. */
    @Command(name = "factory-join", mixinStandardHelpOptions = true,
            description = {"Join the factory line over the bus and get the factory certificate.",
                    "Generates (or loads) the device key in the state folder, gets a device ID and certificate from the",
                    "station, checks it carries this key, proves possession."})
    public static final class FactoryJoin implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--bus", required = true, paramLabel = "BUS", description = "tcp:HOST:PORT (loopback), unix:PATH or serial:PATH.")
        String bus;

        @Option(names = "--state", required = true, paramLabel = "DIR", description = "The device's state folder (key, ID, certificate).")
        Path state;

        @Option(names = "--id", paramLabel = "ID", description = "Ask for this device ID (e.g. a hardware serial); default: the station assigns one.")
        String id;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
                description = "Per-step timeout: 30s, 2m, or plain seconds (default ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            BusAddress address;
            try {
                address = BusAddress.parse(bus);
            } catch (IllegalArgumentException e) {
                err.println("imprint device: " + e.getMessage());
                err.flush();
                return 2;
            }
            FolderState folder = new FolderState(state.toAbsolutePath());
            if (folder.provisioned()) {
                out.printf("already provisioned as %s%n", folder.deviceId().orElse("?"));
                out.flush();
                return 0;
            }
            if (id != null && folder.deviceId().isEmpty()) {
                folder.saveDeviceId(id);
            }
            Duration step = timeout;
            try (BusChannel ch = Buses.connect(address, step)) {
                Device.JoinResult r = new Device(folder).factoryJoin(ch, step);
                out.printf("provisioned %s serial %s%n", r.deviceId(), r.serialHex());
                out.flush();
                return 0;
            } catch (BusException e) {
                err.printf("imprint device: factory-join failed: %s (%s)%n", e.code(), e.getMessage());
                err.flush();
                return 1;
            }
        }
    }
}
