package dev.imprint.device.cli;

import dev.imprint.device.FolderState;
import dev.imprint.device.cloud.CloudConfig;
import dev.imprint.device.cloud.CloudException;
import dev.imprint.device.cloud.DeviceClient;
import dev.imprint.device.cloud.DeviceRuntime;
import dev.imprint.device.cloud.DpsTransport;
import dev.imprint.device.cloud.Identity;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code imprint device register|connect|send --state DIR}: one device from its state folder (made
 * by {@code imprint device factory-join}), through the device SDK. Exit codes: 0 done, 1 refused
 * or failed (the reason code is printed), 2 usage (no state, not provisioned, no cloud.json).
 */
public final class CloudCommands {
    private CloudCommands() {}

    /** The options every command shares: the state folder and where the services are. */
    static class StateOptions {
        @Option(names = "--state", required = true, paramLabel = "DIR", description = "The device's state folder.")
        Path state;

        @Option(names = "--endpoints", paramLabel = "DATA_DIR",
                description = "Take DPS, EST, hubs and trust from a server's data folder (its endpoints.json) and keep them in DIR/cloud.json.")
        Path endpoints;

        @Option(names = "--timeout", defaultValue = "30s", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "Give up after this long: 30s, 5m, or plain seconds (default ${DEFAULT-VALUE}).")
        Duration timeout;

        @Option(names = "--dps-transport", paramLabel = "https|mqtt",
                description = "Register with DPS over HTTPS (the default) or MQTT; the choice is kept in DIR/cloud.json.")
        String dpsTransport;

        FolderState folder() {
            FolderState f = new FolderState(state.toAbsolutePath());
            if (!f.provisioned() || f.deviceId().isEmpty()) {
                throw new Usage(state + " is not a provisioned device (run 'imprint device factory-join' first)");
            }
            return f;
        }

        CloudConfig cloud() {
            Path file = state.resolve(CloudConfig.FILE);
            try {
                CloudConfig c;
                if (endpoints != null) {
                    c = CloudConfig.fromEndpoints(endpoints.toAbsolutePath());
                } else if (!Files.exists(file)) {
                    throw new Usage("no " + file + ": pass --endpoints DATA_DIR once (the server's data folder)");
                } else {
                    c = CloudConfig.load(file);
                }
                if (dpsTransport != null) {
                    c = c.withDpsTransport(DpsTransport.parse(dpsTransport));
                }
                if (endpoints != null || dpsTransport != null) {
                    c.save(file);
                }
                return c;
            } catch (IOException | IllegalArgumentException e) {
                throw new Usage("cannot read the service endpoints: " + e.getMessage());
            }
        }

        DeviceClient client(DeviceRuntime rt, DeviceClient.Events events) {
            FolderState f = folder();
            return new DeviceClient(rt, cloud(), f.deviceId().orElseThrow(), new Identity(f.key(), f.chain()), f,
                    DeviceClient.Options.defaults(), events);
        }
    }

    static final class Usage extends RuntimeException {
        Usage(String m) {
            super(m);
        }
    }

    abstract static class Base implements Callable<Integer> {
        @Spec CommandSpec spec;

        abstract int run(PrintWriter out) throws Exception;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                return run(out);
            } catch (Usage e) {
                err.println("imprint device: " + e.getMessage());
                return 2;
            } catch (Exception e) {
                CloudException c = CloudException.of(e);
                err.printf("imprint device: refused or failed: %s%n", c.getMessage());
                return 1;
            } finally {
                out.flush();
                err.flush();
            }
        }
    }

    @Command(name = "register", mixinStandardHelpOptions = true,
            description = {"Register with DPS (Azure protocol, over HTTPS or --dps-transport mqtt) using the factory certificate.",
                    "Keeps the operational certificate DPS returns and the assigned hub in the state folder."})
    public static final class Register extends Base {
        @picocli.CommandLine.Mixin StateOptions o = new StateOptions();

        @Override
        int run(PrintWriter out) throws Exception {
            try (DeviceRuntime rt = new DeviceRuntime(1); DeviceClient c = o.client(rt, null)) {
                String hub = c.registerNow().get(o.timeout.toMillis(), TimeUnit.MILLISECONDS);
                FolderState f = o.folder();
                var cert = f.operational().orElseThrow().chain().get(0);
                out.printf("registered %s: hub %s, operational certificate %s valid until %s%n", f.deviceId().orElseThrow(), hub,
                        cert.getSerialNumber().toString(16), cert.getNotAfter().toInstant());
                return 0;
            }
        }
    }

    @Command(name = "connect", mixinStandardHelpOptions = true,
            description = {"Connect to the assigned hub and stay connected (Ctrl-C ends it).",
                    "Registers first when needed, prints cloud-to-device messages, answers the direct method 'ping',",
                    "rotates the certificate when due."})
    public static final class Connect extends Base {
        @picocli.CommandLine.Mixin StateOptions o = new StateOptions();

        @Option(names = {"--duration", "--seconds"}, defaultValue = "0", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "Stay connected this long: 90s, 15m, 1d, or plain seconds (0 = until interrupted).")
        Duration stay;

        @Override
        int run(PrintWriter out) throws Exception {
            DeviceClient.Events ev = new DeviceClient.Events() {
                @Override public void connected(String hub) { line(out, "connected to " + hub); }
                @Override public void rotated(String serial) { line(out, "rotated: new certificate " + serial); }
                @Override public void disconnected(String code) { line(out, "disconnected: " + code); }
                @Override public void registered(String hub, boolean fallback) { line(out, "registered" + (fallback ? " again (certificate expired)" : "") + ": hub " + hub); }
                @Override public void cloudToDevice(String props, byte[] body) { line(out, "message: " + new String(body, StandardCharsets.UTF_8) + (props.isEmpty() ? "" : " (" + props + ")")); }
                @Override public void failed(String code) { line(out, "stopped: " + code); }
            };
            try (DeviceRuntime rt = new DeviceRuntime(1); DeviceClient c = o.client(rt, ev)) {
                c.onMethod("ping", payload -> "{\"pong\":true}");
                c.start().get(o.timeout.toMillis(), TimeUnit.MILLISECONDS);
                long until = stay.isZero() ? Long.MAX_VALUE : System.nanoTime() + stay.toNanos();
                while (System.nanoTime() < until && c.state() != DeviceClient.State.FAILED) {
                    Thread.sleep(200);
                }
                return c.state() == DeviceClient.State.FAILED ? 1 : 0;
            }
        }

        private static synchronized void line(PrintWriter out, String s) {
            out.println(s);
            out.flush();
        }
    }

    @Command(name = "send", mixinStandardHelpOptions = true,
            description = {"Send telemetry to the assigned hub and wait for its acknowledgements.",
                    "Registers and connects first when needed."})
    public static final class Send extends Base {
        @picocli.CommandLine.Mixin StateOptions o = new StateOptions();

        @Option(names = "--body", paramLabel = "TEXT", required = true, description = "The message (e.g. JSON).")
        String body;

        @Option(names = "--count", paramLabel = "N", defaultValue = "1", description = "Send it this many times (default ${DEFAULT-VALUE}).")
        int count;

        @Option(names = "--property", paramLabel = "K=V", description = "Application property (repeatable).")
        List<String> properties = new ArrayList<>();

        @Override
        int run(PrintWriter out) throws Exception {
            Map<String, String> props = new java.util.LinkedHashMap<>();
            for (String p : properties) {
                int eq = p.indexOf('=');
                if (eq <= 0) {
                    throw new Usage("--property wants K=V: " + p);
                }
                props.put(p.substring(0, eq), p.substring(eq + 1));
            }
            try (DeviceRuntime rt = new DeviceRuntime(1); DeviceClient c = o.client(rt, null)) {
                List<CompletableFuture<Void>> acks = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    acks.add(c.send(body.getBytes(StandardCharsets.UTF_8), props));
                }
                c.start().get(o.timeout.toMillis(), TimeUnit.MILLISECONDS);
                CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(o.timeout.toMillis(), TimeUnit.MILLISECONDS);
                out.printf("sent %d message(s) to %s, all acknowledged%n", count, o.folder().operational().orElseThrow().hubHostname());
                return 0;
            }
        }
    }
}
