package dev.imprint.bench.hub;

import dev.imprint.hub.Hub;
import dev.imprint.hub.HubSettings;
import dev.imprint.hub.StoreRevocationSource;
import dev.imprint.mqtt.ServerTls;
import dev.imprint.mqtt.proxy.Balancers;
import dev.imprint.pki.CryptoProviders;
import dev.imprint.pki.Pem;
import dev.imprint.pki.validation.CertificateValidator;
import dev.imprint.store.JdbcStore;
import java.nio.file.Path;
import java.util.List;

/**
 * The hub under test, in its own JVM so its memory and CPU are measured alone:
 * {@code HubServerMain WORKDIR ADDRESS [BALANCERS [KAFKA_BOOTSTRAP]]}; with a bootstrap, telemetry goes to Kafka
 * (KafkaEgress, the durable step) and the store keeps the product's default window ({@code kafka.sqlWindowRows},
 * {@code -Dbench.sqlWindowRows} to change it). Product wiring (store-backed revocation, device
 * registry); only the per-client-ID connect rate is raised for the benchmark's reconnect loop.
 * Prints READY, runs until stdin closes.
 */
public final class HubServerMain {
    private HubServerMain() {}

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        String address = args[1];
        // the bench module has no logback.xml; keep DEBUG chatter out of the measurement
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(ch.qos.logback.classic.Level.WARN);
        CryptoProviders.install();
        try (JdbcStore store = JdbcStore.sqlite(work.resolve("imprint.db"))) {
            CertificateValidator validator = CertificateValidator.builder()
                    .trustAnchor(Pem.readCertificate(work.resolve("pki/manufacturing.crt")))
                    .revocation(StoreRevocationSource.of(store.certificates()))
                    .build();
            HubSettings s = HubSettings.of("bench-hub", address, address);
            // the benches open up to 100,000 sessions from one loopback address and publish as fast as they can:
            // no per-source cap, no publish rate (their defaults would refuse the bench, not measure the hub)
            s = s.withLimits(s.limits().withConnectsPerClientIdPerMinute(100_000)
                            .withFloodLimits(0, s.limits().slowReaderTimeout(), 0))
                    .withBalancers(Balancers.parse(args.length > 2 ? args[2] : ""));
            String kafka = args.length > 3 ? args[3] : "";
            List<dev.imprint.hub.telemetry.TelemetrySink> sinks = List.of();
            if (!kafka.isEmpty()) {
                long window = Long.getLong("bench.sqlWindowRows", Long.parseLong(dev.imprint.server.config.ConfigKey.KAFKA_SQL_WINDOW_ROWS.defaultValue()));
                s = new HubSettings(s.name(), s.hostname(), s.bindAddress(), s.port(), s.limits(), s.telemetryMaxAge(), window,
                        s.c2dTtl(), s.watchInterval(), s.balancers());
                sinks = List.of(new dev.imprint.kafka.KafkaEgress(dev.imprint.kafka.KafkaSettings.of(kafka), s.name(), "bench-node",
                        new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
            }
            Hub hub = Hub.start(s, store, validator, ServerTls.create(Pem.readPrivateKey(work.resolve("hub.key"), null),
                    Pem.readCertificates(work.resolve("hub.crt")), true), sinks, null);
            System.out.println("READY engine=" + hub.engine());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to close stdin
            }
            hub.close();
        }
    }
}
