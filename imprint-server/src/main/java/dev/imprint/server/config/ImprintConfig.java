package dev.imprint.server.config;

import dev.imprint.mqtt.ConnectionLimits;
import dev.imprint.mqtt.proxy.Balancers;
import java.net.URI;
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
 * @param dps the provisioning service
 * @param hubs the IoT hubs {@code imprint up} runs, in order (empty: none)
 * @param cluster this process's node name and roles
 * @param balancers {@code cluster.balancers}: the TCP balancers whose connections to the hubs, the
 *     DPS and the HTTPS listener carry a PROXY header (none: PROXY protocol off)
 * @param shadow the Device Shadow limits ({@code shadow.*})
 * @param kafka the Kafka cluster telemetry and events go to; null when {@code kafka.bootstrap} is unset
 * @param aws the AWS IoT Core-compatible endpoint ({@code aws.*}), a listener like a hub's, named {@code aws}; null when off
 * @param awsServerKeys {@code aws.serverKeys}: whether the AWS endpoint's {@code $aws/certificates/create/json} makes
 *     a device's key on the server (off: refused SERVER_KEYS_REFUSED; keys never leave the device)
 * @param awsTemplate {@code aws.template}: the provisioning template name the default enrollment answers to
 */
public record ImprintConfig(Path dataDir, Listener pki, String pkiUrl, Https https, Ca ca, StoreConfig store, Dps dps, List<Hub> hubs,
        Cluster cluster, Balancers balancers, dev.imprint.shadow.ShadowLimits shadow, Kafka kafka, Hub aws, boolean awsServerKeys,
        String awsTemplate) {
    public ImprintConfig {
        hubs = List.copyOf(hubs);
        java.util.Objects.requireNonNull(balancers, "balancers");
        java.util.Objects.requireNonNull(shadow, "shadow");
    }

    /** The same configuration with other CA settings (tests and the demo shorten certificate lifetimes). */
    public ImprintConfig withCa(Ca other) {
        return new ImprintConfig(dataDir, pki, pkiUrl, https, other, store, dps, hubs, cluster, balancers, shadow, kafka, aws, awsServerKeys, awsTemplate);
    }

    /** The same configuration as node {@code node} running {@code roles} (the command line's {@code --node}/{@code --roles}). */
    public ImprintConfig withCluster(Cluster other) {
        return new ImprintConfig(dataDir, pki, pkiUrl, https, ca, store, dps, hubs, other, balancers, shadow, kafka, aws, awsServerKeys, awsTemplate);
    }

    /**
     * This process's place in a cluster.
     *
     * @param node the node name; null for the single process of {@code imprint up} (no cluster machinery at all)
     * @param roles what it runs
     * @param address the address shown for it in the node table; null to derive it from its listeners
     * @param bind the address this node's listeners bind to instead of the configured (public) ones; null for those
     * @param health the plain-HTTP /health and /metrics listener; null for none
     * @param bus how this node messages the others (unused by the single process)
     */
    public record Cluster(String node, Roles roles, String address, String bind, Listener health, Bus bus) {
        /** One process running everything. */
        public static Cluster single() {
            return new Cluster(null, Roles.ALL, null, null, null, Bus.POSTGRESQL);
        }

        /** Where to bind a listener configured (publicly) as {@code l}. */
        public Listener bind(Listener l) {
            return bind == null ? l : new Listener(bind, l.port());
        }

        public boolean clustered() {
            return node != null;
        }
    }

    /**
     * The provisioning service (DPS).
     *
     * @param enabled whether {@code imprint up} starts it ({@code imprint dps} always does)
     * @param https the HTTPS device API; port 0 picks a free one
     * @param mqtt the MQTT device API; port -1 turns it off
     * @param idScope the configured ID scope, null for the one generated into {@code <data>/dps/id-scope}
     * @param perSecond registrations per second overall, 0 unlimited
     * @param perDevicePerMinute registrations per device per minute, 0 unlimited
     */
    /** @param connectionsPerSource open connections one source address may hold on each DPS listener (HTTPS, MQTT); 0: no cap */
    public record Dps(boolean enabled, Listener https, Listener mqtt, String idScope, int perSecond, int perDevicePerMinute,
            int connectionsPerSource) {}

    /**
     * One IoT hub.
     *
     * @param listener where it listens for MQTT over TLS
     * @param hostname the name devices use (the Azure SDK needs a dot: an IP literal or a dotted name)
     * @param telemetryFile JSON-lines telemetry sink, null for none
     * @param webhook telemetry webhook, null for none
     * @param limits per-connection limits
     */
    public record Hub(String name, Listener listener, String hostname, Path telemetryFile, URI webhook, ConnectionLimits limits,
            Duration telemetryRetention) {
        /** {@code mqtts://hostname:port} as listed in endpoints.json. */
        public String mqtt() {
            return "mqtts://" + new Listener(hostname, listener.port()).hostPort();
        }
    }

    /** The node bus of a cluster ({@code cluster.bus}). */
    public enum Bus {
        /** An inbox table and NOTIFY on the store's PostgreSQL. */
        POSTGRESQL,
        /** An inbox topic per node and a doorbell topic ({@code kafka.nodeTopicPrefix}, {@code kafka.doorbellTopic}). */
        KAFKA
    }

    /**
     * Kafka ({@code kafka.*}).
     *
     * @param sqlWindowRows telemetry rows the store keeps besides Kafka (0: none)
     * @param nodeTopicPrefix a node's inbox topic is this and its name (with {@code cluster.bus: kafka})
     * @param doorbellTopic the doorbells of the node bus (with {@code cluster.bus: kafka})
     */
    public record Kafka(String bootstrap, String telemetryTopic, String eventsTopic, Duration ackTimeout, long sqlWindowRows,
            String nodeTopicPrefix, String doorbellTopic) {
        /** What the producers need. */
        public dev.imprint.kafka.KafkaSettings settings() {
            return new dev.imprint.kafka.KafkaSettings(bootstrap, telemetryTopic, eventsTopic, ackTimeout);
        }
    }

    /** The store: {@code url} null means the embedded SQLite file {@code <data>/imprint.db}. */
    public record StoreConfig(String url, String user, String password) {}

    /** The configured store: PostgreSQL when {@code store.url} is set, else the SQLite file {@code <data>/imprint.db}. */
    public dev.imprint.store.Store openStore() {
        return store.url() == null
                ? dev.imprint.store.JdbcStore.sqlite(dataDir.resolve("imprint.db"))
                : dev.imprint.store.JdbcStore.open(store.url(), store.user(), store.password());
    }

    /** An address and port to listen on. */
    public record Listener(String address, int port) {
        public String hostPort() {
            return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
        }
    }

    /** The HTTPS endpoint: listener, TLS engine choice, extra DNS names, worker threads. */
    /**
     * @param requestTimeoutSeconds deadline on each HTTPS request's headers and body (this listener and the DPS's)
     * @param connectionsPerSource open connections one source address may hold on this listener (and the PKI one); 0: no cap
     */
    public record Https(Listener listener, TlsEngine engine, List<String> dnsNames, int workerThreads, int requestTimeoutSeconds,
            int connectionsPerSource) {
        public Https {
            dnsNames = List.copyOf(dnsNames);
        }

        /** With the default cap on connections per source. */
        public Https(Listener listener, TlsEngine engine, List<String> dnsNames, int workerThreads, int requestTimeoutSeconds) {
            this(listener, engine, dnsNames, workerThreads, requestTimeoutSeconds, dev.imprint.mqtt.ConnectionLimits.CONNECTIONS_PER_SOURCE);
        }

        public java.time.Duration requestDeadline() {
            return java.time.Duration.ofSeconds(requestTimeoutSeconds);
        }
    }

    /** TLS engine preference. */
    public enum TlsEngine { AUTO, OPENSSL, JDK }

    /**
     * CA settings.
     *
     * @param pkcs11Config SunPKCS11 config file, null when keys are files
     * @param pkcs11Pin token PIN, null when not configured
     * @param expiredCertificateRetention how long after expiry a device certificate's row is deleted
     */
    public record Ca(
            Duration operationalValidity,
            Duration manufacturingValidity,
            Duration crlNextUpdate,
            Path pkcs11Config,
            char[] pkcs11Pin,
            Duration expiredCertificateRetention) {
        /** With the default retention of expired certificates. */
        public Ca(Duration operationalValidity, Duration manufacturingValidity, Duration crlNextUpdate, Path pkcs11Config,
                char[] pkcs11Pin) {
            this(operationalValidity, manufacturingValidity, crlNextUpdate, pkcs11Config, pkcs11Pin,
                    dev.imprint.ca.CaSettings.DEFAULT_RETENTION);
        }
    }

    public String pkiBaseUrl() {
        return pkiUrl;
    }

    public String httpsBaseUrl() {
        return "https://" + https.listener().hostPort();
    }
}
