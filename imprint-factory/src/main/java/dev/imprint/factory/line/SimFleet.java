package dev.imprint.factory.line;

import dev.imprint.device.DeviceKey;
import dev.imprint.device.DeviceState;
import dev.imprint.device.MemoryState;
import dev.imprint.factory.FactoryException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Simulated devices for {@code --bus sim}. Each makes its own key (on the device, as a real one
 * would); once it has an ID, its key goes to {@code <station>/sim/<batch>.keys}, standing in for
 * the device's flash, so a device that was on the line when the station crashed can come back
 * with the same key and ID. The file is written (not fsynced): it survives a kill -9 of the
 * station, which is what it models.
 */
public final class SimFleet implements AutoCloseable {
    private final OutputStream out;
    private final Map<String, KeyPair> known = new HashMap<>();

    private SimFleet(Path file) throws IOException, java.security.GeneralSecurityException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (Files.exists(file)) {
            KeyFactory kf = KeyFactory.getInstance("EC");
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                String[] f = line.split(" ");
                try {
                    known.put(f[0], new KeyPair(kf.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(f[2]))),
                            kf.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(f[1])))));
                } catch (RuntimeException | java.security.GeneralSecurityException e) {
                    // a torn last line: that device's key was never used
                }
            }
        }
        this.out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    public static SimFleet open(Path file) {
        try {
            return new SimFleet(file);
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new FactoryException("JOURNAL_IO", "cannot open the simulated devices' key file " + file + ": " + e.getMessage(), e);
        }
    }

    /** A fresh device: new key, no ID. */
    public DeviceState fresh() {
        return new SimState(DeviceKey.generate(), null);
    }

    /** The device that had {@code id} before a crash, if its key was kept. */
    public synchronized Optional<DeviceState> returning(String id) {
        KeyPair k = known.get(id);
        return k == null ? Optional.empty() : Optional.of(new SimState(DeviceKey.of(k), id));
    }

    private synchronized void remember(String id, DeviceKey key, java.security.PrivateKey priv) {
        if (known.containsKey(id)) {
            return;
        }
        known.put(id, new KeyPair(key.publicKey(), priv));
        String line = id + " " + Base64.getEncoder().encodeToString(priv.getEncoded()) + " "
                + Base64.getEncoder().encodeToString(key.publicKey().getEncoded()) + "\n";
        try {
            out.write(line.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            throw new FactoryException("JOURNAL_IO", "cannot keep a simulated device's key: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException ignored) {
            // nothing buffered: every line was flushed
        }
    }

    /** A simulated device's memory: the key and ID persist through the fleet file. */
    private final class SimState extends MemoryState {
        SimState(DeviceKey key, String id) {
            super(key, id);
        }

        @Override
        public void saveDeviceId(String newId) {
            super.saveDeviceId(newId);
            remember(newId, key(), key().privateKeyForStorage());
        }
    }
}
