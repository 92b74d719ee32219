package dev.imprint.hub;

import dev.imprint.mqtt.ServerTls;
import dev.imprint.pki.CryptoProviders;
import dev.imprint.pki.Pem;
import dev.imprint.pki.validation.CertificateValidator;
import dev.imprint.store.JdbcStore;
import java.nio.file.Path;
import java.util.List;

/**
 * Child JVM of {@link TelemetryCrashIT}, killed with SIGKILL mid-stream: a hub wired as the
 * product wires it (SQLite store in {@code DIR/imprint.db}, store-backed revocation) with the
 * anchor and server credential the parent wrote. Args: DIR, bind address, hub name. Prints
 * READY once listening, then waits to be killed.
 */
public final class HubCrashChild {
    private HubCrashChild() {}

    public static void main(String[] a) throws Exception {
        Path dir = Path.of(a[0]);
        CryptoProviders.install();
        JdbcStore store = JdbcStore.sqlite(dir.resolve("imprint.db"));
        CertificateValidator validator = CertificateValidator.builder()
                .trustAnchor(Pem.readCertificate(dir.resolve("anchor.pem")))
                .revocation(StoreRevocationSource.of(store.certificates()))
                .build();
        Hub.start(HubSettings.of(a[2], a[1], a[1]), store, validator,
                ServerTls.create(Pem.readPrivateKey(dir.resolve("hub.key"), null), Pem.readCertificates(dir.resolve("hub.crt")), true),
                List.of(), null);
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
