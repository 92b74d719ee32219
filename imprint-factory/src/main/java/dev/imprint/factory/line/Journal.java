package dev.imprint.factory.line;

import dev.imprint.factory.FactoryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The station's crash-resume journal of one batch: an append-only text file, one event per
 * line, replayed on start. Appends are group-committed: a writer thread takes everything
 * queued, writes it and fsyncs once, then completes the callers' futures.
 *
 * <pre>
 * R next              IDs below this counter are reserved (never handed out again)
 * P id keyFp          about to enroll id for the key with this SHA-256 fingerprint
 * I id serial certB64 the CA issued this certificate for id
 * C id serial         the device proved possession (DONE may be sent; the ledger entry may still be on its way)
 * L id serial         the CA recorded it in the ledger
 * X id reason         id abandoned (its device is gone)
 * </pre>
 *
 * A torn last line (kill -9 mid-write) is ignored on replay.
 */
public final class Journal implements AutoCloseable {
    /** What the journal knows about one device ID. */
    public static final class Entry {
        public final String id;
        public String keyFingerprint;
        public String serial;
        public byte[] certDer;
        public boolean confirmed;
        public boolean ledgered;
        public boolean abandoned;

        Entry(String id) {
            this.id = id;
        }
    }

    private record Pending(byte[] line, CompletableFuture<Void> done) {}

    private final Path file;
    private final FileChannel channel;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private long reservedUpTo;
    private int confirmed;
    private volatile boolean closed;
    private volatile IOException failure;

    private Journal(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (Files.exists(file)) {
            replay(Files.readAllLines(file, StandardCharsets.UTF_8));
        }
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        this.writer = new Thread(this::writeLoop, "imprint-journal");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * The highest ID counter reserved by any batch journal in {@code dir}: assigned IDs are unique
     * per station, not per batch, so a new batch starts past every earlier one.
     */
    public static long maxReserved(Path dir) {
        long max = 0;
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".log"))::iterator) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (line.startsWith("R ")) {
                        try {
                            max = Math.max(max, Long.parseLong(line.substring(2).trim()));
                        } catch (NumberFormatException torn) {
                            // a torn last line
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new FactoryException("JOURNAL_IO", "cannot read the journals in " + dir + ": " + e.getMessage(), e);
        }
        return max;
    }

    /** @throws FactoryException JOURNAL_IO when the file cannot be read or opened */
    public static Journal open(Path file) {
        try {
            return new Journal(file);
        } catch (IOException e) {
            throw new FactoryException("JOURNAL_IO", "cannot open the journal " + file + ": " + e.getMessage(), e);
        }
    }

    private void replay(List<String> lines) {
        for (String line : lines) {
            String[] f = line.split(" ");
            try {
                apply(f);
            } catch (RuntimeException e) {
                // a torn line from a crash mid-write: everything before it stands
            }
        }
    }

    private synchronized void apply(String[] f) {
        switch (f[0]) {
            case "R" -> reservedUpTo = Math.max(reservedUpTo, Long.parseLong(f[1]));
            case "P" -> entry(f[1]).keyFingerprint = f[2];
            case "I" -> {
                Entry e = entry(f[1]);
                byte[] der = Base64.getDecoder().decode(f[3]);
                e.serial = f[2];
                e.certDer = der;
            }
            case "C" -> {
                Entry e = entry(f[1]);
                e.serial = f[2];
                if (!e.confirmed) {
                    e.confirmed = true;
                    confirmed++;
                }
            }
            case "L" -> entry(f[1]).ledgered = true;
            case "X" -> entry(f[1]).abandoned = true;
            default -> throw new IllegalArgumentException("unknown journal event " + f[0]);
        }
    }

    private Entry entry(String id) {
        return entries.computeIfAbsent(id, Entry::new);
    }

    public Path file() {
        return file;
    }

    public synchronized long reservedUpTo() {
        return reservedUpTo;
    }

    public synchronized int confirmedCount() {
        return confirmed;
    }

    public synchronized Entry find(String id) {
        return entries.get(id);
    }

    /** IDs with a pending or issued certificate that were never confirmed nor abandoned, in journal order. */
    public synchronized List<Entry> unconfirmed() {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (!e.confirmed && !e.abandoned && e.keyFingerprint != null) {
                out.add(e);
            }
        }
        return out;
    }

    /** IDs whose proof is journalled but whose ledger entry the CA has not acknowledged, in journal order. */
    public synchronized List<Entry> unledgered() {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.confirmed && !e.ledgered && e.serial != null) {
                out.add(e);
            }
        }
        return out;
    }

    public CompletableFuture<Void> reserve(long upTo) {
        return append("R " + upTo);
    }

    public CompletableFuture<Void> pending(String id, String keyFingerprint) {
        return append("P " + id + " " + keyFingerprint);
    }

    public CompletableFuture<Void> issued(String id, String serial, byte[] der) {
        return append("I " + id + " " + serial + " " + Base64.getEncoder().encodeToString(der));
    }

    public CompletableFuture<Void> confirmed(String id, String serial) {
        return append("C " + id + " " + serial);
    }

    public CompletableFuture<Void> ledgered(String id, String serial) {
        return append("L " + id + " " + serial);
    }

    public CompletableFuture<Void> abandoned(String id, String reason) {
        return append("X " + id + " " + reason.replace(' ', '_'));
    }

    /** Applies the event now; the future completes once it is on disk (fsynced). */
    private CompletableFuture<Void> append(String line) {
        if (failure != null) {
            throw new FactoryException("JOURNAL_IO", "the journal " + file + " failed: " + failure.getMessage(), failure);
        }
        apply(line.split(" "));
        CompletableFuture<Void> f = new CompletableFuture<>();
        queue.add(new Pending((line + "\n").getBytes(StandardCharsets.UTF_8), f));
        return f;
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(50, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch);
                int size = 0;
                for (Pending p : batch) {
                    size += p.line.length;
                }
                ByteBuffer buf = ByteBuffer.allocate(size);
                for (Pending p : batch) {
                    buf.put(p.line);
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
                channel.force(false);
                batch.forEach(p -> p.done.complete(null));
            } catch (IOException e) {
                failure = e;
                batch.forEach(p -> p.done.completeExceptionally(new FactoryException("JOURNAL_IO", "journal write failed: " + e.getMessage(), e)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    /** Writes what is queued, then closes the file. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(10_000);
            channel.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new FactoryException("JOURNAL_IO", "closing the journal failed: " + e.getMessage(), e);
        }
    }
}
