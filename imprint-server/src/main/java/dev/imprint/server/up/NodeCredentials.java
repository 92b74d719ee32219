package dev.imprint.server.up;

import dev.imprint.ca.Authority;
import dev.imprint.ca.Credential;
import dev.imprint.pki.Pem;
import dev.imprint.server.config.ImprintConfig;
import dev.imprint.server.hub.HubRole;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credentials a CA node writes into the data folder for the nodes that must not open CA
 * keys: each hub's server certificate ({@code hubs/NAME.crt|key}, for its public host name),
 * the DPS's ({@code dps/server.crt|key}, for the public DPS addresses), and the node client
 * credential ({@code cluster/node.crt|key}, {@code urn:imprint:node:cluster}) a DPS node shows a
 * CA node to get operational certificates. On one machine the nodes share the folder; on
 * several, copy these files (and {@code pki/*.crt}) to each node.
 */
public final class NodeCredentials {
    private static final Logger LOG = LoggerFactory.getLogger(NodeCredentials.class);

    /** A private key and its chain, leaf first. */
    public record Pair(PrivateKey key, List<X509Certificate> chain) {}

    private NodeCredentials() {}

    /** Issues what is missing, no longer covers the configured addresses, or is near expiry. */
    public static void ensure(Authority authority, ImprintConfig config) throws IOException {
        Path data = config.dataDir();
        for (ImprintConfig.Hub h : config.hubs()) {
            HubRole.ensureCredential(data, h, authority);
        }
        X509Certificate serviceCa = authority.hierarchy().issuer("service");
        List<String> dpsIps = List.of(config.dps().https().address(), config.dps().mqtt().address()).stream().distinct().toList();
        if (!ServiceCredentials.usable(dpsCert(data), serviceCa, List.of(), dpsIps)) {
            Credential c = authority.issueServerCertificate("dps", List.of(), dpsIps);
            ServiceCredentials.write(c, dpsCert(data), dpsKey(data));
            LOG.info("event=node.credential.issued kind=dps-server ip={}", dpsIps);
        }
        if (!ServiceCredentials.usable(nodeCert(data), serviceCa, List.of(), List.of()) || !java.nio.file.Files.exists(nodeKey(data))) {
            Credential c = authority.issueNodeCredential("cluster");
            ServiceCredentials.write(c, nodeCert(data), nodeKey(data));
            LOG.info("event=node.credential.issued kind=node-client serial={}", c.certificate().getSerialNumber().toString(16));
        }
    }

    /** @throws IOException when no CA node has written it yet */
    public static Pair dpsServer(Path dataDir) throws IOException {
        return read(dpsCert(dataDir), dpsKey(dataDir));
    }

    /** @throws IOException when no CA node has written it yet */
    public static Pair nodeClient(Path dataDir) throws IOException {
        return read(nodeCert(dataDir), nodeKey(dataDir));
    }

    private static Pair read(Path cert, Path key) throws IOException {
        return new Pair(Pem.readPrivateKey(key, null), Pem.readCertificates(cert));
    }

    private static Path dpsCert(Path data) {
        return data.resolve("dps").resolve("server.crt");
    }

    private static Path dpsKey(Path data) {
        return data.resolve("dps").resolve("server.key");
    }

    private static Path nodeCert(Path data) {
        return data.resolve("cluster").resolve("node.crt");
    }

    private static Path nodeKey(Path data) {
        return data.resolve("cluster").resolve("node.key");
    }
}
