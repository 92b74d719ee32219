package dev.imprint.server.config;

/**
 * Every setting of {@code imprint up}: its path in {@code <data>/imprint.yaml}, the environment
 * variable that overrides it, and its default. The one place defaults live.
 *
 * <p>Precedence: environment variable, then the file, then the default here.
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
    CA_OPERATIONAL_VALIDITY_DAYS("ca.operationalValidityDays", "30", "validity of operational (re-enrolled) device certificates"),
    CA_MANUFACTURING_VALIDITY_DAYS("ca.manufacturingValidityDays", "7300", "validity of factory device certificates"),
    CA_CRL_NEXT_UPDATE_SECONDS("ca.crlNextUpdateSeconds", "3600", "nextUpdate of CRLs, seconds after thisUpdate"),
    CA_PKCS11_CONFIG("ca.pkcs11.config", "", "SunPKCS11 configuration file; when set, CA keys live in the token"),
    CA_PKCS11_PIN("ca.pkcs11.pin", "", "PIN of the PKCS#11 token (prefer the environment variable)"),
    STORE_URL("store.url", "", "JDBC URL of the store; default the SQLite file <data>/imprint.db (jdbc:postgresql://... for PostgreSQL)"),
    STORE_USER("store.user", "", "database user (PostgreSQL)"),
    STORE_PASSWORD("store.password", "", "database password (PostgreSQL; prefer the environment variable)");

    private final String path;
    private final String defaultValue;
    private final String description;

    ConfigKey(String path, String defaultValue, String description) {
        this.path = path;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** Dotted path in the config file, e.g. {@code https.port}. */
    public String path() {
        return path;
    }

    /** The overriding environment variable: {@code IMPRINT_} + the path in upper snake case. */
    public String env() {
        return "IMPRINT_" + path.replaceAll("([a-z])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(java.util.Locale.ROOT);
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
