package dev.imprint.dps.protocol.mqtt;

import dev.imprint.dps.DpsSettings;
import dev.imprint.dps.registration.Registrar;
import dev.imprint.mqtt.ConnectionLimits;
import dev.imprint.mqtt.MqttTlsServer;
import dev.imprint.mqtt.ServerTls;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Azure DPS device API over MQTT 3.1.1 with mutual TLS, on the hub's transport
 * ({@link MqttTlsServer}: Netty, BoringSSL, the shared validator once per connection). See
 * {@link DpsMqttApplication} for the topics.
 */
public final class MqttDeviceApi implements AutoCloseable {
    private final MqttTlsServer server;
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;

    private MqttDeviceApi(MqttTlsServer server, ExecutorService workers, ScheduledExecutorService timer) {
        this.server = server;
        this.workers = workers;
        this.timer = timer;
    }

    /** @throws IllegalStateException when the address cannot be bound */
    public static MqttDeviceApi start(DpsSettings settings, Registrar registrar) {
        AtomicInteger n = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()), r -> {
            Thread t = new Thread(r, "dps-mqtt-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dps-mqtt-timer");
            t.setDaemon(true);
            return t;
        });
        try {
            MqttTlsServer server = MqttTlsServer.builder()
                    .name("dps")
                    .bind(settings.mqttHost(), settings.mqttPort())
                    .tls(ServerTls.create(settings.serverKey(), settings.serverChain(), true))
                    // a device registers a few times at most; the per-client-ID connect limit stays generous
                    .limits(ConnectionLimits.defaults().withMaxMessageBytes(64 * 1024).withFloodLimits(ConnectionLimits.PUBLISHES_PER_SECOND,
                            ConnectionLimits.SLOW_READER_TIMEOUT, settings.connectionsPerSource()))
                    .validator(chain -> registrar.attestation().verdict(chain))
                    .balancers(settings.balancers())
                    // like the rest of the DPS, in the global registry (imprint up adds its /metrics registry to it)
                    .meters(io.micrometer.core.instrument.Metrics.globalRegistry)
                    .application(new DpsMqttApplication(settings.idScope(), registrar, workers, timer, settings.retryAfterSeconds()))
                    .build()
                    .start();
            return new MqttDeviceApi(server, workers, timer);
        } catch (RuntimeException e) {
            workers.shutdownNow();
            timer.shutdownNow();
            throw e;
        }
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
        workers.shutdownNow();
        timer.shutdownNow();
    }
}
