package dev.imprint.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The validated configuration of {@code imprint up}; built by {@link ConfigLoader}, immutable.
 *
 * @param dataDir the data folder (store, keys, credentials)
 * @param pki the plain-HTTP PKI repository listener
 * @param pkiUrl the base URL written into issued certificates
 * @param https the HTTPS listener (EST, admin API, metrics)
 * @param ca CA settings passed to the authority
 * @param store where records live
 */
public record ImprintConfig(Path dataDir, Listener pki, String pkiUrl, Https https, Ca ca, StoreConfig store) {

    /** The store: {@code url} null means the embedded SQLite file {@code <data>/imprint.db}. */
    public record StoreConfig(String url, String user, String password) {}

    /** An address and port to listen on. */
    public record Listener(String address, int port) {
        public String hostPort() {
            return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
        }
    }

    /** The HTTPS endpoint: listener, TLS engine choice, extra DNS names, worker threads. */
    public record Https(Listener listener, TlsEngine engine, List<String> dnsNames, int workerThreads) {
        public Https {
            dnsNames = List.copyOf(dnsNames);
        }
    }

    /** TLS engine preference. */
    public enum TlsEngine { AUTO, OPENSSL, JDK }

    /**
     * CA settings.
     *
     * @param pkcs11Config SunPKCS11 config file, null when keys are files
     * @param pkcs11Pin token PIN, null when not configured
     */
    public record Ca(
            Duration operationalValidity,
            Duration manufacturingValidity,
            Duration crlNextUpdate,
            Path pkcs11Config,
            char[] pkcs11Pin) {}

    public String pkiBaseUrl() {
        return pkiUrl;
    }

    public String httpsBaseUrl() {
        return "https://" + https.listener().hostPort();
    }
}
