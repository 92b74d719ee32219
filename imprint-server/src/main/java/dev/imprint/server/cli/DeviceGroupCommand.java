package dev.imprint.server.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code imprint device ...}: one command group for both sides of a device: the device SDK run
 * as a process ({@code factory-join}, {@code register}, {@code connect}, {@code send}), a simulated
 * fleet ({@code simulate}), and the hubs' view of a device ({@code show}).
 */
@Command(name = "device", mixinStandardHelpOptions = true,
        description = "Device commands: the device side (the SDK as a process) and the hubs' view of a device.",
        subcommands = {dev.imprint.device.cli.DeviceCommand.FactoryJoin.class,
                dev.imprint.device.cli.CloudCommands.Register.class, dev.imprint.device.cli.CloudCommands.Connect.class,
                dev.imprint.device.cli.CloudCommands.Send.class, dev.imprint.server.lifecycle.SimulateCommand.class,
                DeviceCommands.Device.Show.class})
public final class DeviceGroupCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
