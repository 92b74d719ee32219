package dev.imprint.pki;

import java.security.Provider;
import java.security.Security;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JCA providers Imprint signs and verifies with.
 *
 * <p>Hot paths (issuance, CSR and chain verification) use a native-backed provider: the
 * JDK's own EC code is 20-40x slower. Amazon Corretto Crypto Provider (AWS-LC) is tried
 * first; where its native part cannot load (another OS, a locked-down JVM), Bouncy Castle
 * is the fallback. Bouncy Castle is always registered, for the algorithms and encodings
 * only it has. Call {@link #install()} once at start; it is idempotent.
 */
public final class CryptoProviders {
    private static final Logger LOG = LoggerFactory.getLogger(CryptoProviders.class);
    private static volatile Provider fast;
    private static volatile Provider bc;

    private CryptoProviders() {}

    /** Registers Bouncy Castle and, when it loads, ACCP; returns the provider for hot paths. */
    public static synchronized Provider install() {
        if (fast != null) {
            return fast;
        }
        bc = Security.getProvider(BouncyCastleProvider.PROVIDER_NAME);
        if (bc == null) {
            bc = new BouncyCastleProvider();
            Security.addProvider(bc);
        }
        Provider chosen = bc;
        if (!Boolean.getBoolean("imprint.crypto.noNative")) {
            try {
                Class<?> accp = Class.forName("com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider");
                Provider p = (Provider) accp.getField("INSTANCE").get(null);
                Throwable loadError = (Throwable) accp.getMethod("getLoadingError").invoke(p);
                if (loadError == null) {
                    chosen = p;
                } else {
                    LOG.warn("native crypto provider ACCP did not load ({}); falling back to Bouncy Castle", loadError.toString());
                }
            } catch (ReflectiveOperationException | LinkageError e) {
                LOG.warn("native crypto provider ACCP unavailable ({}); falling back to Bouncy Castle", e.toString());
            }
        }
        fast = chosen;
        LOG.debug("hot-path crypto provider: {}", fast.getName());
        return fast;
    }

    /** The provider for hot signing and verifying (ACCP, or Bouncy Castle as fallback). */
    public static Provider fast() {
        Provider p = fast;
        return p != null ? p : install();
    }

    /** Bouncy Castle, always available. */
    public static Provider bouncyCastle() {
        install();
        return bc;
    }
}
