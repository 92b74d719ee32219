package dev.imprint.kafka.broker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A single-node Kafka (KRaft, broker and controller in one process) in a JVM of its own, on a
 * loopback address. The broker's jars (Scala, an older Jackson, its own logging) are on that
 * JVM's classpath only: the list is written into this module's jar at build time, so Imprint's
 * classpath never holds them. {@link #start} formats the log folder on first use and waits
 * until the broker accepts connections; {@link #stop} ends the process by its PID (SIGTERM,
 * then SIGKILL after 20 s); {@link #restart} keeps the folder and the ports, so producers
 * reconnect to the same bootstrap address.
 */
public final class KafkaBroker implements AutoCloseable {
    private static final String CLASSPATH_RESOURCE = "broker.classpath";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final String host;
    private final int port;
    private final int controllerPort;
    private final List<String> jvmOptions;
    private final List<String> launcher;
    private Process process;

    private KafkaBroker(Path dir, String host, int port, int controllerPort, List<String> jvmOptions, List<String> launcher) {
        this.dir = dir;
        this.host = host;
        this.port = port;
        this.controllerPort = controllerPort;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.launcher = List.copyOf(launcher);
    }

    private static final List<String> JVM_OPTIONS = List.of("-Xmx512m", "-Xms128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    /**
     * Starts a broker keeping its data in {@code dir}, listening on {@code host} (a loopback
     * address) on {@code port} (0 = a free one); the controller takes another free port.
     *
     * @throws IllegalStateException when the broker did not accept connections within 60 s (its
     *     output is in {@code dir/broker.log})
     */
    public static KafkaBroker start(Path dir, String host, int port) {
        KafkaBroker b = new KafkaBroker(dir.toAbsolutePath(), host, port == 0 ? freePort(host) : port, freePort(host), JVM_OPTIONS, List.of());
        b.format();
        b.launch();
        return b;
    }

    /**
     * Starts a broker that outlives this JVM ({@code imprint cluster up --kafka}): in a session of
     * its own ({@code setsid}), so the terminal's signals to the launcher do not reach it, on
     * fixed ports ({@code port} and {@code port + 1} for the controller, which the KRaft log
     * records, so a later start on the same folder finds its quorum again). Stop it by its
     * {@link #pid}.
     */
    public static KafkaBroker startDetached(Path dir, String host, int port) {
        KafkaBroker b = new KafkaBroker(dir.toAbsolutePath(), host, port, port + 1, JVM_OPTIONS, List.of("setsid"));
        b.format();
        b.launch();
        return b;
    }

    /** {@code host:port}, the value of {@code bootstrap.servers}. */
    public String bootstrap() {
        return host + ":" + port;
    }

    /** The broker process's PID, or -1 when stopped. */
    public synchronized long pid() {
        return process != null && process.isAlive() ? process.pid() : -1;
    }

    /** Stops the broker (kept data), then starts it again on the same ports. */
    public synchronized void restart() {
        stop();
        launch();
    }

    /** Ends the broker process: SIGTERM (a controlled shutdown), SIGKILL if it is still there after 20 s. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    @Override
    public void close() {
        stop();
    }

    private void format() {
        try {
            Files.createDirectories(dir.resolve("data"));
            Files.writeString(dir.resolve("server.properties"), properties());
            if (Files.exists(dir.resolve("data/meta.properties"))) {
                return;
            }
            List<String> cmd = java("kafka.tools.StorageTool");
            cmd.addAll(List.of("format", "--standalone", "--ignore-formatted", "-t", clusterId(),
                    "-c", dir.resolve("server.properties").toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("format.log").toFile())).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("formatting the Kafka log folder took over 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("formatting the Kafka log folder failed (exit " + p.exitValue() + "): "
                        + Files.readString(dir.resolve("format.log")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while formatting", e);
        }
    }

    private synchronized void launch() {
        try {
            List<String> cmd = new ArrayList<>(launcher);
            cmd.addAll(java("kafka.Kafka"));
            cmd.add(dir.resolve("server.properties").toString());
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!accepts()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String why = process.isAlive() ? "did not accept connections within " + START_TIMEOUT.toSeconds() + " s"
                        : "exited with " + process.exitValue();
                stop();
                throw new IllegalStateException("the Kafka broker " + why + "; see " + dir.resolve("broker.log"));
            }
            try {
                Thread.sleep(100);  // polling a port that is not open yet: nothing to wait on instead
            } catch (InterruptedException e) {
                stop();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting Kafka", e);
            }
        }
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private List<String> java(String mainClass) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
        cmd.add("-cp");
        cmd.add(brokerClasspath());
        cmd.add(mainClass);
        return cmd;
    }

    /** The broker's jars as resolved by Maven when this module was built. */
    static String brokerClasspath() {
        try (InputStream in = KafkaBroker.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("no " + CLASSPATH_RESOURCE + " next to " + KafkaBroker.class.getName()
                        + ": build imprint-kafka-broker with Maven (it writes the broker's classpath)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String properties() {
        String listener = host + ":" + port;
        String controller = host + ":" + controllerPort;
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=" + controller,
                "listeners=PLAINTEXT://" + listener + ",CONTROLLER://" + controller,
                "advertised.listeners=PLAINTEXT://" + listener,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=4",
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "");
    }

    /**
     * A KRaft cluster ID: 16 random bytes, URL-safe base64 without padding (what {@code kafka-storage
     * random-uuid} prints). One in 64 would start with '-', which {@code kafka-storage format -t}
     * takes for an option and refuses; Kafka's own {@code Uuid.randomUuid} draws again then, so do we.
     */
    static String clusterId() {
        while (true) {
            UUID u = UUID.randomUUID();
            ByteBuffer b = ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }

    private static int freePort(String host) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(host, 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + host, e);
        }
    }
}
