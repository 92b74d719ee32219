package dev.imprint.ca.hierarchy;

import dev.imprint.ca.CaException;
import dev.imprint.pki.CryptoProviders;
import dev.imprint.pki.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Optional;

/** CA keys as encrypted PKCS#8 PEM files ({@code <dir>/<name>.key}, mode 0600). */
public final class FileKeyVault implements KeyVault {
    private final Path dir;
    private final char[] passphrase;

    public FileKeyVault(Path dir, char[] passphrase) {
        this.dir = dir;
        this.passphrase = passphrase.clone();
    }

    @Override
    public KeyPair generate(String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", CryptoProviders.fast());
            g.initialize(new ECGenParameterSpec(curve));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Reason.INTERNAL_ERROR, "cannot generate a " + curve + " key", e);
        }
    }

    @Override
    public void store(String name, PrivateKey key, X509Certificate certificate) {
        writePrivate(dir.resolve(name + ".key"), Pem.writeEncryptedKey(key, passphrase));
    }

    @Override
    public Optional<PrivateKey> load(String name) {
        Path file = dir.resolve(name + ".key");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            PrivateKey bcKey = Pem.readPrivateKey(file, passphrase);
            // Re-materialise in the fast provider: signing then runs natively, not in Java.
            KeyFactory kf = KeyFactory.getInstance(bcKey.getAlgorithm().equals("ECDSA") ? "EC" : bcKey.getAlgorithm(),
                    CryptoProviders.fast());
            return Optional.of(kf.generatePrivate(new PKCS8EncodedKeySpec(bcKey.getEncoded())));
        } catch (IllegalArgumentException | IOException e) {
            throw new CaException(CaException.Reason.CA_KEY_UNREADABLE,
                    "cannot read CA key " + file + " (wrong passphrase?): " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Reason.CA_KEY_UNREADABLE, "unusable CA key " + file, e);
        }
    }

    @Override
    public Provider signingProvider() {
        return CryptoProviders.fast();
    }

    /** Writes a file readable only by its owner, atomically (temp file then rename). */
    static void writePrivate(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, content, StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new CaException(CaException.Reason.CA_KEY_UNREADABLE, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
