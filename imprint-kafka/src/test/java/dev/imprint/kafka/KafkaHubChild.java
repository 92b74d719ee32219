package dev.imprint.kafka;

import dev.imprint.hub.Hub;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;

/**
 * A hub whose durable step is Kafka, alone in this JVM, for {@code kill -9} tests: a CA and store
 * in {@code args[0]}, the hub on a free port of {@code args[2]} writing to the broker at {@code
 * args[1]}, and {@code args[3]} devices whose keys and chains it writes to {@code DEVICE.p12}
 * (password {@code test}, the root as entry {@code root}); then it prints {@code READY PORT} and
 * runs until killed.
 */
public final class KafkaHubChild {
    private KafkaHubChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        KafkaHubFixture fx = new KafkaHubFixture(dir, args[2]);
        Hub hub = fx.hub("hub-kill", KafkaSettings.of(args[1]));
        for (int i = 0; i < Integer.parseInt(args[3]); i++) {
            KafkaHubFixture.Device d = fx.device("kkill-" + i, hub.name());
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("device", d.key(), "test".toCharArray(), d.chain().toArray(Certificate[]::new));
            ks.setCertificateEntry("root", fx.ca.hierarchy().root());
            try (OutputStream out = Files.newOutputStream(dir.resolve(d.id() + ".p12"))) {
                ks.store(out, "test".toCharArray());
            }
        }
        System.out.println("READY " + hub.settings().port());
        System.out.flush();
        Thread.currentThread().join();
    }
}
