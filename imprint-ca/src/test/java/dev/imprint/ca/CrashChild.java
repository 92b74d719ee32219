package dev.imprint.ca;

import dev.imprint.store.JdbcStore;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;

/**
 * Child JVM for {@link CrashDurabilityTest}: issues certificates as fast as it can and prints
 * "GOT serial" for each one it has received (future completed), plus a revocation now and then
 * so CRL numbers move. The parent kills it with SIGKILL.
 */
public final class CrashChild {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        var store = JdbcStore.sqlite(dir.resolve("imprint.db"));
        Authority ca = Authority.open(CaSettings.defaults(dir.resolve("pki"), CaFixture.PASS, "http://127.0.0.1:8080"), store);
        if (ca.stations().find("line").isEmpty()) {
            ca.stations().create("line", ".*", 0, 0, "test");
        }
        System.out.println("READY");
        System.out.flush();
        Semaphore window = new Semaphore(64);
        String run = Long.toString(System.nanoTime(), 36);
        for (int i = 0; ; i++) {
            window.acquire();
            int n = i;
            ca.issueAsync(IssuanceRequest.byStation("line", CaFixture.csr("crash-" + run + "-" + i))).whenComplete((c, e) -> {
                if (e == null) {
                    synchronized (System.out) {
                        System.out.println("GOT " + c.serialHex());
                        System.out.flush();
                    }
                    if (n % 50 == 0) {
                        ca.revocation().revoke(c.serialHex(), 1, "test");
                    }
                }
                window.release();
            });
        }
    }
}
