package dev.imprint.ca.hierarchy;

import dev.imprint.ca.CaException;
import dev.imprint.pki.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hierarchy kept in the PKI folder: {@code root.crt} and {@code <ca>.crt} (PEM), keys in a
 * {@link KeyVault}. Created on first open (root EC P-384 for 30 years; issuing CAs EC P-256 for
 * 25 years), reused afterwards. A half-created folder (crash during init) is completed: the
 * root is reused and missing issuing CAs are created. The root key is only read while an
 * issuing CA is being created, so it can go offline afterwards.
 */
public final class PkiFolderHierarchy implements CaHierarchy {
    private static final Logger LOG = LoggerFactory.getLogger(PkiFolderHierarchy.class);
    static final String ROOT = "root";
    private static final List<String> ISSUERS = List.of(MANUFACTURING, OPERATIONAL, SERVICE);

    private final Path dir;
    private final X509Certificate root;
    private final Map<String, IssuingCa> issuers;

    private PkiFolderHierarchy(Path dir, X509Certificate root, Map<String, IssuingCa> issuers) {
        this.dir = dir;
        this.root = root;
        this.issuers = issuers;
    }

    /** Loads the hierarchy, creating what is missing. @throws CaException CA_KEY_UNREADABLE */
    public static PkiFolderHierarchy openOrCreate(Path dir, KeyVault vault) {
        try {
            Files.createDirectories(dir);
            Path rootFile = dir.resolve(ROOT + ".crt");
            X509Certificate root;
            PrivateKey rootKey = null;
            if (Files.exists(rootFile)) {
                root = Pem.readCertificate(rootFile);
            } else {
                LOG.info("creating root CA in {}", dir);
                KeyPair kp = vault.generate("secp384r1");
                root = CaCertificates.root(CaCertificates.name("Imprint Root CA"), kp.getPublic(), kp.getPrivate(),
                        vault.signingProvider(), Duration.ofDays(30 * 365 + 7));
                vault.store(ROOT, kp.getPrivate(), root);
                writePublic(rootFile, Pem.write(root));
                rootKey = kp.getPrivate();
            }
            Map<String, IssuingCa> issuers = new LinkedHashMap<>();
            for (String name : ISSUERS) {
                Path certFile = dir.resolve(name + ".crt");
                X509Certificate cert;
                PrivateKey key;
                if (Files.exists(certFile)) {
                    cert = Pem.readCertificate(certFile);
                    key = vault.load(name).orElseThrow(() -> new CaException(CaException.Reason.CA_KEY_UNREADABLE,
                            "the key of CA " + name + " is missing"));
                } else {
                    if (rootKey == null) {
                        rootKey = vault.load(ROOT).orElseThrow(() -> new CaException(CaException.Reason.CA_KEY_UNREADABLE,
                                "the root key is needed to create CA " + name + " but is not available"));
                    }
                    LOG.info("creating issuing CA {} in {}", name, dir);
                    KeyPair kp = vault.generate("secp256r1");
                    cert = CaCertificates.issuing(CaCertificates.name("Imprint " + capitalize(name) + " CA"),
                            kp.getPublic(), root, rootKey, vault.signingProvider(), Duration.ofDays(25 * 365 + 6));
                    vault.store(name, kp.getPrivate(), cert);
                    // The key is stored before the certificate: a certificate file always has its key.
                    writePublic(certFile, Pem.write(cert));
                    key = vault.load(name).orElse(kp.getPrivate());
                }
                issuers.put(name, new IssuingCa(name, cert, key, vault.signingProvider(), List.of(cert, root)));
            }
            return new PkiFolderHierarchy(dir, root, Map.copyOf(issuers));
        } catch (IOException e) {
            throw new CaException(CaException.Reason.CA_KEY_UNREADABLE, "cannot use PKI folder " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void writePublic(Path file, String pem) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    @Override
    public X509Certificate root() {
        return root;
    }

    @Override
    public Path rootFile() {
        return dir.resolve(ROOT + ".crt");
    }

    @Override
    public X509Certificate issuer(String name) {
        return issuingCa(name).certificate();
    }

    @Override
    public List<X509Certificate> chain(String name) {
        return issuingCa(name).chain();
    }

    @Override
    public List<String> names() {
        return ISSUERS;
    }

    /** The signing side of an issuing CA. @throws CaException UNKNOWN_CA */
    public IssuingCa issuingCa(String name) {
        IssuingCa ca = name == null ? null : issuers.get(name);
        if (ca == null) {
            throw new CaException(CaException.Reason.UNKNOWN_CA, "no issuing CA named " + name);
        }
        return ca;
    }
}
