package dev.imprint.server.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code imprint device ...}: one command group for both sides of a device: the device SDK run
 * as a process ({@code factory-join}) and the hubs' view of it ({@code show}).
 */
@Command(name = "device", mixinStandardHelpOptions = true,
        description = "Device commands: the device side (the SDK as a process) and the hubs' view of a device.",
        subcommands = {dev.imprint.device.cli.DeviceCommand.FactoryJoin.class, DeviceCommands.Device.Show.class})
public final class DeviceGroupCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
