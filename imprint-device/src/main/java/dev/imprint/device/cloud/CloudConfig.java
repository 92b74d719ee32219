package dev.imprint.device.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.pki.Pem;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a device's services are and whom to trust: the DPS HTTPS endpoint and ID scope, the DPS
 * MQTT endpoint ({@code mqtts://host:port}, null when unknown) and which of the two to register
 * over ({@link DpsTransport#HTTPS} unless chosen), the EST base URL (for re-enrollment), the
 * trust bundle (Imprint's root), and the MQTT endpoint of each hub host name DPS may assign (a
 * host not listed is reached on port 8883, as Azure devices do).
 */
public record CloudConfig(URI dps, String idScope, URI est, List<X509Certificate> trust, Map<String, URI> hubs, URI dpsMqtt,
        DpsTransport dpsTransport) {
    public static final String FILE = "cloud.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public CloudConfig {
        trust = List.copyOf(trust);
        hubs = Map.copyOf(hubs);
        dpsTransport = dpsTransport == null ? DpsTransport.HTTPS : dpsTransport;
    }

    /** HTTPS registration, no DPS MQTT address. */
    public CloudConfig(URI dps, String idScope, URI est, List<X509Certificate> trust, Map<String, URI> hubs) {
        this(dps, idScope, est, trust, hubs, null, DpsTransport.HTTPS);
    }

    /**
     * The same services, registering over {@code transport}.
     *
     * @throws IllegalArgumentException MQTT without a DPS MQTT address
     */
    public CloudConfig withDpsTransport(DpsTransport transport) {
        if (transport == DpsTransport.MQTT && dpsMqtt == null) {
            throw new IllegalArgumentException("no DPS MQTT address is known (is DPS MQTT on? see endpoints.json \"dps\".\"mqtt\")");
        }
        return new CloudConfig(dps, idScope, est, trust, hubs, dpsMqtt, transport);
    }

    /** The MQTT endpoint of an assigned hub host name. */
    public URI hubEndpoint(String hostname) {
        URI u = hubs.get(hostname);
        return u != null ? u : URI.create("mqtts://" + hostname + ":8883");
    }

    /**
     * From a running server's {@code <data>/endpoints.json} and the root certificate it names.
     *
     * @throws IOException when the file is missing, or has no DPS entry
     */
    public static CloudConfig fromEndpoints(Path dataDir) throws IOException {
        JsonNode e = JSON.readTree(dataDir.resolve("endpoints.json").toFile());
        JsonNode dps = e.path("dps");
        if (!dps.hasNonNull("https") || !dps.hasNonNull("idScope")) {
            throw new IOException(dataDir.resolve("endpoints.json") + " names no DPS (is the DPS role running?)");
        }
        Map<String, URI> hubs = new LinkedHashMap<>();
        for (JsonNode h : e.path("hubs")) {
            hubs.put(h.path("hostname").asText(), URI.create(h.path("mqtt").asText()));
        }
        return new CloudConfig(URI.create(dps.get("https").asText()), dps.get("idScope").asText(), URI.create(e.path("est").asText()),
                Pem.readCertificates(Path.of(e.path("trust").asText())), hubs, optionalUri(dps.path("mqtt")), DpsTransport.HTTPS);
    }

    public void save(Path file) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("dps", dps.toString()).put("idScope", idScope).put("est", est.toString()).put("trust", Pem.write(trust.toArray()));
        if (dpsMqtt != null) {
            n.put("dpsMqtt", dpsMqtt.toString());
        }
        n.put("dpsTransport", dpsTransport.name().toLowerCase(java.util.Locale.ROOT));
        ObjectNode h = n.putObject("hubs");
        hubs.forEach((k, v) -> h.put(k, v.toString()));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, n.toPrettyString(), StandardCharsets.UTF_8);
    }

    /** @throws IOException when missing or malformed (also: an unknown dpsTransport, or mqtt without dpsMqtt) */
    public static CloudConfig load(Path file) throws IOException {
        JsonNode n = JSON.readTree(file.toFile());
        if (n == null || !n.hasNonNull("dps") || !n.hasNonNull("idScope") || !n.hasNonNull("trust")) {
            throw new IOException(file + " lacks dps, idScope or trust");
        }
        Map<String, URI> hubs = new LinkedHashMap<>();
        n.path("hubs").fields().forEachRemaining(f -> hubs.put(f.getKey(), URI.create(f.getValue().asText())));
        try {
            return new CloudConfig(URI.create(n.get("dps").asText()), n.get("idScope").asText(), URI.create(n.path("est").asText("")),
                    Pem.readCertificates(n.get("trust").asText()), hubs, optionalUri(n.path("dpsMqtt")), null)
                    .withDpsTransport(DpsTransport.parse(n.path("dpsTransport").asText("https")));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
    }

    private static URI optionalUri(JsonNode n) {
        return n.isTextual() && !n.asText().isBlank() ? URI.create(n.asText()) : null;
    }
}
