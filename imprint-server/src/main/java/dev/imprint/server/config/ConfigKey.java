package dev.imprint.server.config;

/**
 * Every setting of {@code imprint up}: its path in {@code <data>/imprint.yaml}, the environment
 * variable that overrides it, and its default. The one place defaults live.
 *
 * <p>Precedence: environment variable, then the file, then the default here. The {@code hub.*}
 * keys apply to every hub; one entry of the {@code hubs} list may set its own value (the
 * environment variable still wins).
 */
public enum ConfigKey {
    PKI_ADDRESS("pki.address", "127.0.0.1", "address of the plain-HTTP PKI repository (CA certs, CRLs, OCSP)"),
    PKI_PORT("pki.port", "8080", "port of the PKI repository"),
    PKI_URL("pki.url", "", "base URL written into certificates (CRL DP, OCSP); default http://<pki.address>:<pki.port>"),
    HTTPS_ADDRESS("https.address", "127.0.0.1", "address of the HTTPS endpoint (EST, admin API, metrics)"),
    HTTPS_PORT("https.port", "8443", "port of the HTTPS endpoint"),
    HTTPS_ENGINE("https.engine", "auto", "TLS engine: auto (BoringSSL, JDK when it cannot load), openssl, jdk"),
    HTTPS_DNS_NAMES("https.dnsNames", "", "extra DNS names for the server certificate (comma-separated in the env)"),
    HTTPS_WORKER_THREADS("https.workerThreads", "64", "worker threads for CSR checks, signing and admin requests (event loops never block)"),
    HTTPS_REQUEST_TIMEOUT("https.requestTimeoutSeconds", "30", "deadline from the first byte of an HTTPS request (EST, admin, console, DPS) to its last; past it the connection is closed (REQUEST_TIMEOUT);"
            + " a duration (30s, 2m) or plain seconds"),
    HTTPS_CONNECTIONS_PER_SOURCE("https.connectionsPerSource", "10000", "open connections one source address may hold on the HTTPS listener"
            + " (and on the PKI one); 0: no limit; beyond: closed at accept, before TLS (TOO_MANY_CONNECTIONS)"),
    CA_OPERATIONAL_VALIDITY_DAYS("ca.operationalValidityDays", "30", "validity of operational (re-enrolled) device certificates: a duration (30d, 12h, 30s) or plain days"),
    CA_MANUFACTURING_VALIDITY_DAYS("ca.manufacturingValidityDays", "7300", "validity of factory device certificates: a duration (7300d) or plain days"),
    CA_CRL_NEXT_UPDATE_SECONDS("ca.crlNextUpdateSeconds", "3600", "nextUpdate of CRLs after thisUpdate: a duration (1h, 60s) or plain seconds; full CRLs are rebuilt at half of it"),
    CA_EXPIRED_CERTIFICATE_RETENTION("ca.expiredCertificateRetention", "30d", "device certificates (factory and operational) are deleted"
            + " from the store this long after they expired (checked every minute, by the node publishing their CA's CRLs): a duration"
            + " (30d, 12h, 2m) or plain days"),
    CA_PKCS11_CONFIG("ca.pkcs11.config", "", "SunPKCS11 configuration file; when set, CA keys live in the token"),
    CA_PKCS11_PIN("ca.pkcs11.pin", "", "PIN of the PKCS#11 token (prefer the environment variable)"),
    STORE_URL("store.url", "", "JDBC URL of the store; default the SQLite file <data>/imprint.db (jdbc:postgresql://... for PostgreSQL)"),
    STORE_USER("store.user", "", "database user (PostgreSQL)"),
    STORE_PASSWORD("store.password", "", "database password (PostgreSQL; prefer the environment variable)"),
    DPS_ENABLED("dps.enabled", "IMPRINT_DPS", "true", "run the provisioning service in 'imprint up' (false or off: not started)"),
    DPS_HTTPS_ADDRESS("dps.https.address", "127.0.0.1", "address of the DPS device API over HTTPS"),
    DPS_HTTPS_PORT("dps.https.port", "9443", "its port (0: any free port)"),
    DPS_MQTT_ADDRESS("dps.mqtt.address", "127.0.0.2", "address of the DPS device API over MQTT"),
    DPS_MQTT_PORT("dps.mqtt.port", "8883", "its port (the Azure SDK needs 8883; -1: MQTT off)"),
    DPS_ID_SCOPE("dps.idScope", "", "the ID scope devices are configured with; default generated once into <data>/dps/id-scope"),
    DPS_RATE("dps.rate", "1000", "registrations per second, whole service (0: unlimited; beyond: 429 with Retry-After)"),
    DPS_DEVICE_RATE("dps.deviceRate", "10", "registrations per device per minute (0: unlimited)"),
    DPS_CONNECTIONS_PER_SOURCE("dps.connectionsPerSource", "10000", "open connections one source address may hold on each DPS listener"
            + " (HTTPS, MQTT); 0: no limit; beyond: closed at accept, before TLS (TOO_MANY_CONNECTIONS)"),
    CLUSTER_BALANCERS("cluster.balancers", "", "IP addresses or CIDRs of the TCP balancers (HAProxy send-proxy-v2) in front of the"
            + " device-facing listeners (hubs, DPS, HTTPS): their connections must start with a PROXY header, nobody else may send one;"
            + " comma-separated in the env; empty: no PROXY protocol"),
    HUBS("hubs", "IMPRINT_HUBS", HubList.DEFAULT,
            "the hubs 'imprint up' runs: in the file a list of {name, address, port, hostname, any hub.* field};"
                    + " in the env name=address:port,... or none"),
    HUB_TELEMETRY_FILE("hub.telemetryFile", "", "JSON-lines telemetry sink, '{hub}' replaced by the hub's name (relative to the data folder)"),
    HUB_WEBHOOK("hub.webhook", "", "telemetry sink: http(s) URL every message is POSTed to (queued, never blocks devices)"),
    HUB_MAX_MESSAGE_BYTES("hub.maxMessageBytes", "262144", "largest MQTT packet a device may send (bigger: disconnected, MESSAGE_TOO_LARGE)"),
    HUB_CONNECT_TIMEOUT_SECONDS("hub.connectTimeoutSeconds", "10", "time from TCP accept to a valid CONNECT, TLS handshake included: a duration (10s) or plain seconds"),
    HUB_MAX_KEEP_ALIVE_SECONDS("hub.maxKeepAliveSeconds", "1200", "cap on a client's keep-alive (0 from a client means this cap): a duration (20m) or plain seconds"),
    HUB_TELEMETRY_RETENTION("hub.telemetryRetention", "7d", "telemetry older than this is deleted (checked every minute): a duration (7d, 1h) or plain seconds"),
    HUB_INFLIGHT_WINDOW("hub.inflightWindow", "16", "unacknowledged QoS 1 messages per session in each direction"),
    HUB_OUTBOUND_QUEUE("hub.outboundQueue", "1000", "messages queued for a slow client beyond the window (beyond: disconnected, SLOW_CONSUMER)"),
    HUB_CONNECTS_PER_MINUTE("hub.connectsPerClientIdPerMinute", "30", "CONNECT attempts per client ID per minute (beyond: RATE_LIMITED)"),
    HUB_PUBLISHES_PER_SECOND("hub.publishesPerSecond", "500", "PUBLISH packets per second one connection may send, burst of one second's worth (0: no limit);"
            + " beyond: MQTT 5 PUBACK 0x97 quota exceeded, 3.1.1 reading paused until the rate allows (PUBLISH_RATE_EXCEEDED)"),
    HUB_SLOW_READER_SECONDS("hub.slowReaderSeconds", "60", "time a connection may leave 128 KiB of what the hub sends unread; reading from it"
            + " pauses meanwhile, then it is closed (SLOW_READER): a duration (60s) or plain seconds"),
    HUB_CONNECTIONS_PER_SOURCE("hub.connectionsPerSource", "10000", "open connections one source address may hold on a hub (0: no limit;"
            + " beyond: closed at accept, TOO_MANY_CONNECTIONS; connections from cluster.balancers are not counted)"),
    AWS_ENABLED("aws.enabled", "true", "run the AWS IoT Core-compatible endpoint (devices on the AWS IoT Device SDK: client ID = thing name,"
            + " telemetry on dt/<thing>/# and things/<thing>/#, Device Shadow over MQTT, fleet provisioning by claim); false: no listener"),
    AWS_ADDRESS("aws.address", "127.0.0.5", "address of the AWS endpoint (endpoints.json aws.mqtt)"),
    AWS_SERVER_KEYS("aws.serverKeys", "false", "let the AWS endpoint's $aws/certificates/create/json make a device's key on the server"
            + " (each one audited); off: refused SERVER_KEYS_REFUSED, the device makes its key and uses create-from-csr"),
    AWS_PORT("aws.port", "8883", "its port (the AWS SDK's MQTT 5 default is 8883; its 3.1.1 builder needs withPort)"),
    AWS_TEMPLATE("aws.template", "default", "the fleet provisioning template name the default enrollment answers to (endpoints.json"
            + " aws.template); any other template name is the name of an enrollment"),
    SHADOW_MAX_STATE_BYTES("shadow.maxStateBytes", "8192", "largest desired or reported section of a device shadow, compact JSON (beyond: 413)"),
    SHADOW_MAX_DEPTH("shadow.maxDepth", "6", "deepest nesting inside a shadow's desired or reported section (beyond: 400)"),
    SHADOW_MAX_REQUEST_BYTES("shadow.maxRequestBytes", "131072", "largest shadow request payload (beyond: 413)"),
    SHADOW_MAX_NAMED("shadow.maxNamedShadows", "25", "named shadows one device may have (beyond: 403)"),
    KAFKA_BOOTSTRAP("kafka.bootstrap", "", "bootstrap.servers of a Kafka cluster: hubs then put telemetry and device events on it"
            + " (a QoS 1 PUBACK after Kafka's acknowledgement); empty: no Kafka, telemetry in the store"),
    KAFKA_TELEMETRY_TOPIC("kafka.telemetryTopic", "imprint.telemetry", "topic of device-to-cloud messages (key = device ID)"),
    KAFKA_EVENTS_TOPIC("kafka.eventsTopic", "imprint.events", "topic of device lifecycle events (key = device ID)"),
    KAFKA_ACK_TIMEOUT_SECONDS("kafka.ackTimeoutSeconds", "60", "how long a QoS 1 PUBACK waits for Kafka; past it the session ends"
            + " (KAFKA_UNAVAILABLE) and the device sends again"),
    KAFKA_SQL_WINDOW_ROWS("kafka.sqlWindowRows", "10000", "with Kafka: recent telemetry rows the store still keeps for the console"
            + " and 'imprint telemetry' (0: none)"),
    KAFKA_NODE_TOPIC_PREFIX("kafka.nodeTopicPrefix", "imprint.node.", "with cluster.bus kafka: a node's inbox topic is this prefix and"
            + " its name"),
    KAFKA_DOORBELL_TOPIC("kafka.doorbellTopic", "imprint.doorbells", "with cluster.bus kafka: the topic every node hears doorbells on"),
    CLUSTER_NODE("cluster.node", "", "this node's name in a cluster of several processes (needs store.url on PostgreSQL); empty: one process"),
    CLUSTER_ROLES("cluster.roles", "all",
            "what this node runs: all, or a comma list of ca (CA, EST, PKI repository, OCSP), admin (admin API, console; needs ca),"
                    + " dps, hub:NAME (serves the logical hub NAME of the hubs list)"),
    CLUSTER_ADDRESS("cluster.address", "", "the address this node is reached at, as 'imprint node list' shows it; default its first listener"),
    CLUSTER_BIND("cluster.bind", "", "bind this node's listeners to this address, same ports; the configured addresses stay the public"
            + " ones (a load balancer's) in certificates and endpoints; empty: bind the configured addresses"),
    CLUSTER_BUS("cluster.bus", "postgresql", "how the nodes of a cluster message each other: postgresql (an inbox table and NOTIFY)"
            + " or kafka (an inbox topic per node; needs kafka.bootstrap)"),
    CLUSTER_HEALTH("cluster.health", "", "address:port of this node's plain-HTTP /health and /metrics (load balancer checks); empty: none");

    private final String path;
    private final String env;
    private final String defaultValue;
    private final String description;

    ConfigKey(String path, String defaultValue, String description) {
        this(path, null, defaultValue, description);
    }

    /** @param env the variable's name when it is not derived from the path (names kept from before the file knew the key) */
    ConfigKey(String path, String env, String defaultValue, String description) {
        this.path = path;
        this.env = env != null ? env
                : "IMPRINT_" + path.replaceAll("([a-z])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(java.util.Locale.ROOT);
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** Dotted path in the config file, e.g. {@code https.port}. */
    public String path() {
        return path;
    }

    /** The overriding environment variable: {@code IMPRINT_} + the path in upper snake case, except {@code IMPRINT_DPS} and {@code IMPRINT_HUBS}. */
    public String env() {
        return env;
    }

    /** For a {@code hub.*} key: the field that overrides it in one entry of the {@code hubs} list; else null. */
    public String hubField() {
        return path.startsWith("hub.") ? path.substring(4) : null;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    public static java.util.Optional<ConfigKey> byPath(String path) {
        for (ConfigKey k : values()) {
            if (k.path.equals(path)) {
                return java.util.Optional.of(k);
            }
        }
        return java.util.Optional.empty();
    }
}
