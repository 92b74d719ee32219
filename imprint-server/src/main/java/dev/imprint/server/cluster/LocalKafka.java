package dev.imprint.server.cluster;

import dev.imprint.kafka.broker.KafkaBroker;
import dev.imprint.server.config.ImprintConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The Kafka of {@code imprint cluster up --kafka}: a single-node KRaft broker (broker and
 * controller in one JVM with the Apache Kafka jars on its own classpath) in {@code <data>/kafka},
 * outliving the launcher and stopped by {@code cluster down} by its recorded PID.
 */
final class LocalKafka {
    /** Where it listens when {@code --kafka} names no address (the controller on the next port). */
    static final String DEFAULT_LISTENER = "127.0.15.1:9092";
    /** SIGTERM is a controlled shutdown (the log closed cleanly); SIGKILL after this. */
    static final Duration GRACE = Duration.ofSeconds(20);

    private LocalKafka() {}

    /**
     * Starts the broker and waits until it accepts connections.
     *
     * @throws IllegalStateException when its ports are taken or it did not come up (the message names {@code broker.log})
     */
    static ClusterState.Kafka start(Path data, ImprintConfig.Listener at) {
        for (int port : new int[] {at.port(), at.port() + 1}) {
            // a broker that answers already would pass the start's connection check without being ours
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(at.address()))) {
                s.setReuseAddress(true);
            } catch (IOException e) {
                throw new IllegalStateException("--kafka: " + at.address() + ":" + port + " is in use already (Kafka needs it and the port after it)");
            }
        }
        Path dir = data.resolve("kafka").toAbsolutePath();
        KafkaBroker broker = KafkaBroker.startDetached(dir, at.address(), at.port());
        long pid = broker.pid();
        OwnProcess p = OwnProcess.of(pid, OwnProcess.cmdline(pid));
        if (p == null) {
            throw new IllegalStateException("the Kafka broker exited right after starting; see " + dir.resolve("broker.log"));
        }
        return new ClusterState.Kafka(broker.bootstrap(), dir.toString(), p);
    }
}
