package dev.imprint.server.lifecycle;

import dev.imprint.device.Csrs;
import dev.imprint.device.DeviceKey;
import dev.imprint.device.MemoryState;
import dev.imprint.device.Pkcs11Keys;
import dev.imprint.device.cloud.CloudConfig;
import dev.imprint.device.cloud.DeviceClient;
import dev.imprint.device.cloud.DeviceRuntime;
import dev.imprint.device.cloud.Identity;
import dev.imprint.factory.est.CaClient;
import dev.imprint.factory.est.StationCredential;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM of {@link Pkcs11DeviceIT} (it needs SOFTHSM2_CONF in its environment): a device whose
 * keys live in the token, made by the station, registered with DPS, connected to its hub.
 * Args: pkcs11.cfg, pin, station folder, server data folder, device ID.
 */
public final class Pkcs11DeviceChild {
    /**
     * Exits with the outcome: on a failure the device runtime's non-daemon threads would keep
     * this JVM alive, and the test, reading its output to the end, would wait for it forever.
     */
    public static void main(String[] a) {
        try {
            run(a);
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run(String[] a) throws Exception {
        Pkcs11Keys token = Pkcs11Keys.open(Path.of(a[0]), a[1].toCharArray());
        String id = a[4];
        // the factory step, with the key generated in the token
        DeviceKey factoryKey = token.generate();
        System.out.println("KEY_IN_MEMORY " + factoryKey.inMemory());
        CaClient ca = new CaClient(StationCredential.load(Path.of(a[2])), CloudConfig.fromEndpoints(Path.of(a[3])).est().toString());
        X509Certificate cert = ca.enroll(Csrs.build(factoryKey, id));
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(cert);
        chain.addAll(ca.cacerts().stream().filter(c -> !c.getSubjectX500Principal().equals(c.getIssuerX500Principal())).toList());
        token.store("factory", factoryKey, chain);
        DeviceKey stored = token.load("factory").orElseThrow();
        System.out.println("FACTORY " + cert.getSerialNumber().toString(16));

        // the field: operational keys are made in the token too
        MemoryState state = new MemoryState(stored, id);
        try (DeviceRuntime rt = new DeviceRuntime(1);
                DeviceClient c = new DeviceClient(rt, CloudConfig.fromEndpoints(Path.of(a[3])), id, new Identity(stored, chain), state,
                        DeviceClient.Options.defaults().withKeys(token::generate), new DeviceClient.Events() {
                            @Override
                            public void connected(String hub) {
                                System.out.println("CONNECTED " + hub);
                            }
                        })) {
            c.start().get(60, TimeUnit.SECONDS);
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                acks.add(c.send(("{\"hsm\":" + i + "}").getBytes(StandardCharsets.UTF_8), Map.of()));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            System.out.println("ACKED 5");
            System.out.println("OPERATIONAL_KEY_IN_MEMORY " + state.operational().orElseThrow().key().inMemory());
        }
    }
}
