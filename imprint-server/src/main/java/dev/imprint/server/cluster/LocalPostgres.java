package dev.imprint.server.cluster;

import dev.imprint.server.PrivateFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A PostgreSQL of Debian's binaries ({@code /usr/lib/postgresql/N/bin}) in {@code <data>/pg}:
 * initialised once (fsync on, password authentication on 127.0.0.1 only, no Unix socket), started
 * and stopped with {@code pg_ctl}, with the role and database {@code imprint} whose generated
 * password lives in {@code <data>/secrets/store-password} (mode 0600).
 *
 * <p>Why {@code runuser -u postgres}: initdb and the server refuse to run as root; the data
 * directory and the log file then belong to the user postgres.
 */
final class LocalPostgres {
    static final String USER = "postgres";
    static final String DATABASE = "imprint";
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(90);

    private final Path data;
    private final Path pgData;
    private final Path binDir;
    private final Path log;

    LocalPostgres(Path data, Path binDir) {
        this.data = data;
        this.pgData = data.resolve("pg");
        this.binDir = binDir;
        this.log = data.resolve("logs").resolve("postgres.log");
    }

    /**
     * Debian's newest PostgreSQL binaries, or {@code override}.
     *
     * @throws IllegalStateException saying how to install them, or to use --store
     */
    static Path binaries(Path override) throws IOException {
        if (override != null) {
            if (!Files.isExecutable(override.resolve("pg_ctl"))) {
                throw new IllegalStateException("no pg_ctl in " + override);
            }
            return override;
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                var best = versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")) && v.getFileName().toString().matches("\\d+"))
                        .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())));
                if (best.isPresent()) {
                    return best.get().resolve("bin");
                }
            }
        }
        throw new IllegalStateException("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin: install them"
                + " (apt-get install postgresql), pass --pg-bin DIR, or use an existing server with --store URL");
    }

    /** Initialises {@code <data>/pg} unless done, starts the server on {@code port} and makes role and database. */
    ClusterState.Postgres start(int port) throws IOException, InterruptedException, SQLException {
        if (!Files.exists(pgData.resolve("PG_VERSION"))) {
            init();
        }
        Files.createDirectories(log.getParent());
        if (!Files.exists(log)) {
            Files.createFile(log);
        }
        own(log);
        Exec.Result r = Exec.run(Exec.as(USER, List.of(binDir.resolve("pg_ctl").toString(), "start", "-D", pgData.toString(),
                "-l", log.toString(), "-w", "-t", "60", "-s", "-o", "-p " + port)), TOOL_TIMEOUT);
        if (!r.ok()) {
            throw new IllegalStateException("PostgreSQL did not start (pg_ctl exit " + r.exit() + "): " + r.output().strip()
                    + "\n  see " + log);
        }
        ensureDatabase(port);
        return new ClusterState.Postgres(pgData.toString(), binDir.toString(), port, url(port));
    }

    private void ensureDatabase(int port) throws IOException, SQLException {
        String password = secret("store-password");
        try (Connection c = DriverManager.getConnection(adminUrl(port), USER, secret("postgres-password"));
                Statement st = c.createStatement()) {
            // the stored password is the truth: set it again in case the file was replaced
            boolean role = st.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + DATABASE + "'").next();
            st.execute((role ? "ALTER" : "CREATE") + " ROLE " + DATABASE + " LOGIN PASSWORD '" + password + "'");
            if (!st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'").next()) {
                st.execute("CREATE DATABASE " + DATABASE + " OWNER " + DATABASE);
            }
        }
    }

    /** The server already running in {@code <data>/pg} (its port from postmaster.pid), with role and database made. */
    ClusterState.Postgres adopt() throws IOException, SQLException {
        int port = Integer.parseInt(Files.readAllLines(pgData.resolve("postmaster.pid")).get(3).trim());
        ensureDatabase(port);
        return new ClusterState.Postgres(pgData.toString(), binDir.toString(), port, url(port));
    }

    static String url(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    String password() throws IOException {
        return secret("store-password");
    }

    /** {@code pg_ctl stop -m fast}; true when it was running and has stopped. */
    boolean stop() throws IOException, InterruptedException {
        if (!running()) {
            return false;
        }
        Exec.Result r = Exec.run(Exec.as(USER, List.of(binDir.resolve("pg_ctl").toString(), "stop", "-D", pgData.toString(),
                "-m", "fast", "-w", "-t", "60", "-s")), TOOL_TIMEOUT);
        if (!r.ok()) {
            throw new IllegalStateException("pg_ctl stop failed (exit " + r.exit() + "): " + r.output().strip());
        }
        return true;
    }

    boolean running() throws IOException, InterruptedException {
        return Files.exists(pgData.resolve("PG_VERSION"))
                && Exec.run(Exec.as(USER, List.of(binDir.resolve("pg_ctl").toString(), "status", "-D", pgData.toString())), TOOL_TIMEOUT).ok();
    }

    /** The postmaster's PID from {@code postmaster.pid}; -1 when there is none. */
    long pid() {
        try {
            return Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid")).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A free port on 127.0.0.1: {@code preferred} when it is free, else one the kernel picks. */
    static int freePort(int preferred) throws IOException {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        if (preferred > 0) {
            try (ServerSocket s = new ServerSocket(preferred, 1, lo)) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // fall through to any port
            }
        }
        try (ServerSocket s = new ServerSocket(0, 1, lo)) {
            return s.getLocalPort();
        }
    }

    private void init() throws IOException, InterruptedException {
        Files.createDirectories(pgData);
        own(pgData);
        Files.setPosixFilePermissions(pgData, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        if (Exec.root() && !Exec.run(List.of("runuser", "-u", USER, "--", "test", "-w", pgData.toString()), TOOL_TIMEOUT).ok()) {
            throw new IllegalStateException("the user " + USER + " cannot write " + pgData + ": a parent folder is closed to it"
                    + " (chmod o+x on the parents, another --data, or an existing server with --store URL)");
        }
        String superPassword = secret("postgres-password");
        Path pwfile = Files.createTempFile("imprint-pg", ".pw");
        try {
            Files.writeString(pwfile, superPassword + "\n", StandardOpenOption.TRUNCATE_EXISTING);
            own(pwfile);
            List<String> cmd = new ArrayList<>(List.of(binDir.resolve("initdb").toString(), "-D", pgData.toString(), "-U", USER,
                    "-E", "UTF8", "--locale=C", "--auth-local=peer", "--auth-host=scram-sha-256", "--pwfile=" + pwfile));
            Exec.Result r = Exec.run(Exec.as(USER, cmd), TOOL_TIMEOUT);
            if (!r.ok()) {
                throw new IllegalStateException("initdb failed (exit " + r.exit() + "):\n" + r.output().strip());
            }
        } finally {
            Files.deleteIfExists(pwfile);
        }
        // loopback TCP with passwords only; fsync stays on (the default) so a kill -9 test loses nothing
        Files.writeString(pgData.resolve("postgresql.conf"), """

                # imprint cluster up
                listen_addresses = '127.0.0.1'
                unix_socket_directories = ''
                max_connections = 300
                fsync = on
                """, StandardOpenOption.APPEND);
    }

    /** A password kept in {@code <data>/secrets/NAME} (mode 0600), generated on first use. */
    private String secret(String name) throws IOException {
        Path f = data.resolve("secrets").resolve(name);
        if (Files.exists(f)) {
            return Files.readString(f, StandardCharsets.US_ASCII).trim();
        }
        byte[] r = new byte[24];
        new SecureRandom().nextBytes(r);
        String pw = HexFormat.of().formatHex(r); // hex: safe inside SQL quotes and YAML
        PrivateFiles.write(f, pw.getBytes(StandardCharsets.US_ASCII));
        return pw;
    }

    private static String adminUrl(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** Hands {@code path} to the user postgres when we are root (else it is ours already). */
    private static void own(Path path) throws IOException {
        if (!Exec.root()) {
            return;
        }
        UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(path, users.lookupPrincipalByName(USER));
        Files.getFileAttributeView(path, PosixFileAttributeView.class).setGroup(users.lookupPrincipalByGroupName(USER));
    }
}
