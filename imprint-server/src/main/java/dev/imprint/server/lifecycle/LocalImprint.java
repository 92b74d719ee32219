package dev.imprint.server.lifecycle;

import dev.imprint.server.config.ConfigLoader;
import dev.imprint.server.config.ImprintConfig;
import dev.imprint.server.up.Node;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything in this process on a data folder, on free ports (so it never collides with an
 * {@code imprint up} already running): CA, EST, admin API, DPS on 127.0.0.1, hubs hub-1 on
 * 127.0.0.3 and hub-2 on 127.0.0.4, the AWS endpoint on 127.0.0.5, with operational certificates
 * living {@code lifetime}.
 */
public final class LocalImprint {
    private LocalImprint() {}

    /** @throws Exception when a role cannot start (the message says which) */
    public static Node start(Path data, Duration lifetime, Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("IMPRINT_PKI_PORT", Integer.toString(freePort("127.0.0.1")));
        env.put("IMPRINT_HTTPS_PORT", Integer.toString(freePort("127.0.0.1")));
        env.put("IMPRINT_DPS_HTTPS_PORT", Integer.toString(freePort("127.0.0.1")));
        env.put("IMPRINT_DPS_MQTT_PORT", Integer.toString(freePort("127.0.0.2")));
        env.put("IMPRINT_HUBS", "hub-1=127.0.0.3:" + freePort("127.0.0.3") + ",hub-2=127.0.0.4:" + freePort("127.0.0.4"));
        env.put("IMPRINT_AWS_PORT", Integer.toString(freePort("127.0.0.5")));
        env.putAll(extraEnv);
        ImprintConfig c = ConfigLoader.load(data, env);
        ImprintConfig.Ca ca = c.ca();
        ImprintConfig withLifetime = c.withCa(
                new ImprintConfig.Ca(lifetime, ca.manufacturingValidity(), ca.crlNextUpdate(), ca.pkcs11Config(), ca.pkcs11Pin(),
                        ca.expiredCertificateRetention()));
        return Node.start(withLifetime, env);
    }

    static int freePort(String address) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(address))) {
            return s.getLocalPort();
        }
    }
}
