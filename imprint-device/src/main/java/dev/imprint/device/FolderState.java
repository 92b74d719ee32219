package dev.imprint.device;

import dev.imprint.pki.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A device's state folder: {@code device.key} (PKCS#8 PEM, mode 0600), {@code device.pub}, {@code device.id},
 * {@code device.crt} (leaf), {@code chain.pem} (issuing CA and root), {@code provisioned}
 * (marker); once registered, {@code operational.key} (0600) and {@code operational.pem} (chain,
 * leaf first), {@code hub} (the assigned hub's host name), and {@code cloud.json} (where DPS, EST
 * and the hubs are, and the trust bundle). Every file is written to a temporary name and renamed, so a power cut leaves the
 * old or the new version, never half of one.
 */
public final class FolderState implements DeviceState, OperationalState {
    private final Path dir;
    private DeviceKey key;

    public FolderState(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public synchronized DeviceKey key() {
        if (key == null) {
            Path f = dir.resolve("device.key");
            try {
                if (Files.exists(f)) {
                    PrivateKey priv = Pem.readPrivateKey(f, null);
                    key = DeviceKey.of(new KeyPair(readPublic(), priv));
                } else {
                    key = DeviceKey.generate();
                    write(dir.resolve("device.pub"), pem("PUBLIC KEY", key.publicKey().getEncoded()));
                    writePrivate(f, pem("PRIVATE KEY", key.privateKey().getEncoded()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read or write " + f, e);
            }
        }
        return key;
    }

    private PublicKey readPublic() throws IOException {
        try {
            String pem = Files.readString(dir.resolve("device.pub"), StandardCharsets.US_ASCII);
            String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(b64)));
        } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("device.pub is not an EC public key", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    @Override
    public Optional<String> deviceId() {
        Path f = dir.resolve("device.id");
        try {
            return Files.exists(f) ? Optional.of(Files.readString(f, StandardCharsets.UTF_8).trim()).filter(s -> !s.isEmpty()) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void saveDeviceId(String id) {
        write(dir.resolve("device.id"), id + "\n");
    }

    @Override
    public void install(List<X509Certificate> chain) {
        write(dir.resolve("chain.pem"), Pem.write(chain.subList(1, chain.size())));
        write(dir.resolve("device.crt"), Pem.write(chain.get(0)));
    }

    @Override
    public List<X509Certificate> chain() {
        try {
            Path leaf = dir.resolve("device.crt");
            if (!Files.exists(leaf)) {
                return List.of();
            }
            List<X509Certificate> all = new java.util.ArrayList<>(Pem.readCertificates(leaf));
            Path rest = dir.resolve("chain.pem");
            if (Files.exists(rest)) {
                all.addAll(Pem.readCertificates(rest));
            }
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void markProvisioned() {
        write(dir.resolve("provisioned"), java.time.Instant.now() + "\n");
    }

    @Override
    public boolean provisioned() {
        return Files.exists(dir.resolve("provisioned"));
    }

    private void write(Path f, String text) {
        try {
            Files.createDirectories(dir);
            Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            move(tmp, f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + f, e);
        }
    }

    private void writePrivate(Path f, String pem) throws IOException {
        Files.createDirectories(dir);
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
        move(tmp, f);
    }

    private static void move(Path tmp, Path f) throws IOException {
        try {
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public synchronized Optional<Operational> operational() {
        Path crt = dir.resolve("operational.pem");
        Path k = dir.resolve("operational.key");
        Path hub = dir.resolve("hub");
        if (!Files.exists(crt) || !Files.exists(hub)) {
            return Optional.empty();
        }
        try {
            List<X509Certificate> chain = Pem.readCertificates(crt);
            DeviceKey dk = Files.exists(k) ? DeviceKey.of(new KeyPair(chain.get(0).getPublicKey(), Pem.readPrivateKey(k, null))) : key();
            return Optional.of(new Operational(dk, chain, Files.readString(hub, StandardCharsets.UTF_8).trim()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the operational identity in " + dir, e);
        }
    }

    /**
     * Writes the key first, then the chain, then the hub: a cut between them leaves a chain that
     * does not match the key, which {@link #operational()} callers treat as "register again".
     * A token key (not in memory) is not written: it stays in the token.
     */
    @Override
    public synchronized void saveOperational(Operational o) {
        try {
            if (o.key().inMemory()) {
                writePrivate(dir.resolve("operational.key"), pem("PRIVATE KEY", o.key().privateKey().getEncoded()));
            } else {
                Files.deleteIfExists(dir.resolve("operational.key"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the operational key in " + dir, e);
        }
        write(dir.resolve("operational.pem"), Pem.write(o.chain().toArray()));
        write(dir.resolve("hub"), o.hubHostname() + "\n");
    }
}
