package dev.imprint.server.cli;

import dev.imprint.server.config.CaPassphrase;
import dev.imprint.server.config.ConfigKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code imprint}: the launcher and admin CLI. Exit codes: 0 ok, 1 refused or failed, 2 usage or config, 3 server not reachable. */
@Command(name = "imprint",
        mixinStandardHelpOptions = true,
        versionProvider = ImprintCommand.Version.class,
        description = "Imprint: device identity and provisioning for IoT fleets.",
        subcommands = {UpCommand.class, OperatorCommand.class, StationCommand.class, CertCommand.class, AuditCommand.class, VerifyCommand.class, ConsoleCommand.class,
                DpsCommand.class, EnrollmentCommand.class, HubCommand.class, NodeCommand.class, RegistrationCommand.class, // DPS role (imprint-dps)
                LedgerCommand.class, dev.imprint.factory.cli.FactoryCommand.class, dev.imprint.device.cli.DeviceCommand.class,
                // the hubs (imprint-hub): the back-end commands; 'hub --name' runs one alone; 'device show' is added below
                DeviceCommands.Telemetry.class, EventsCommand.class, DeviceCommands.C2d.class, DeviceCommands.Twin.class, DeviceCommands.Method.class,
                ShadowCommand.class, // AWS Device Shadow (imprint-shadow)
                dev.imprint.server.lifecycle.DemoCommand.class, // the whole life cycle in one command
                dev.imprint.server.cluster.ClusterCommand.class, // a cluster of node processes on this machine
                CommandLine.HelpCommand.class},
        footer = {"", "Run 'imprint <command> --help' for the options of a command."})
public final class ImprintCommand implements Runnable {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int UNREACHABLE = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The command line with Imprint's error handling and the configuration table in {@code up --help}. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new ImprintCommand());
        // 'device' is the device SDK's command (imprint-device); the hub back end adds 'device show'
        cl.getSubcommands().get("device").addSubcommand(new DeviceCommands.Device.Show());
        cl.getSubcommands().get("device").addSubcommand(new dev.imprint.server.lifecycle.SimulateCommand()); // a simulated fleet
        cl.setUsageHelpWidth(100);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof CliException ce) {
                cmd.getErr().println("imprint: " + ce.getMessage());
                return ce.exitCode();
            }
            if (ex instanceof dev.imprint.ca.CaException ce && System.getenv("IMPRINT_DEBUG") == null) {
                cmd.getErr().println("imprint: " + ce.code() + ": " + ce.getMessage() + " (set IMPRINT_DEBUG=1 for details)");
                return FAILED;
            }
            StringBuilder msg = new StringBuilder("imprint: " + ex);
            for (Throwable c = ex.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
                msg.append("\n  caused by: ").append(c);
            }
            cmd.getErr().println(msg);
            if (System.getenv("IMPRINT_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            return FAILED;
        });
        StringBuilder footer = new StringBuilder("%nConfiguration (<data>/imprint.yaml; an environment variable overrides the file):%n");
        for (ConfigKey k : ConfigKey.values()) {
            String dflt = k.defaultValue().isEmpty() ? "" : "  (default " + k.defaultValue() + ")";
            footer.append(String.format("  %s  [%s]%s%n      %s%n", k.path(), k.env(), dflt, k.description().replace("%", "%%")));
        }
        footer.append(String.format("  (environment only)  [%s]%n      %s%n", CaPassphrase.ENV,
                "passphrase of the CA key files; if unset, one is generated into <data>/secrets/ca-passphrase (mode 0600)"));
        cl.getSubcommands().get("up").getCommandSpec().usageMessage().footer(footer.toString());
        return cl;
    }

    /** Version from the jar manifest, else "dev". */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ImprintCommand.class.getPackage().getImplementationVersion();
            return new String[] {"imprint " + (v == null ? "0.1.0-SNAPSHOT" : v), "Java " + System.getProperty("java.version")};
        }
    }
}
