package dev.imprint.server.up;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.imprint.server.PrivateFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where a running {@code imprint up} listens, as written to {@code <data>/endpoints.json} for
 * tools, tests and the CLI.
 *
 * @param trust absolute path of the root certificate to trust
 * @param dps the provisioning service: {@code https}, {@code mqtt}, {@code idScope} (absent when it is not running)
 * @param hubs the IoT hubs this process runs
 * @param kafka {@code kafka.bootstrap}, {@code kafka.telemetryTopic}, {@code kafka.eventsTopic} when Kafka is configured; else absent
 * @param aws the AWS IoT Core-compatible endpoint: {@code mqtt} ({@code mqtts://address:port}) when {@code aws.enabled}; else absent
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record Endpoints(String pki, String est, String admin, String console, String trust, Map<String, String> dps, List<Hub> hubs,
        @com.fasterxml.jackson.annotation.JsonProperty("kafka") Map<String, String> kafka, Map<String, String> aws) {
    public static final String FILE = "endpoints.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One IoT hub: {@code hostname} is what devices connect to (an IP literal or a dotted name, for the Azure SDK). */
    public record Hub(String name, String hostname, String mqtt) {}

    public Endpoints(String pki, String est, String admin, String console, String trust) {
        this(pki, est, admin, console, trust, null, List.of(), null, null);
    }

    /** With the provisioning service's entry ({@code https}, {@code mqtt}, {@code idScope}); null for none. */
    public Endpoints withDps(Map<String, String> dpsEntry) {
        return new Endpoints(pki, est, admin, console, trust, dpsEntry, hubs, kafka, aws);
    }

    public Endpoints withHubs(List<Hub> list) {
        return new Endpoints(pki, est, admin, console, trust, dps, List.copyOf(list), kafka, aws);
    }

    /** With where Kafka is (null config: none, the entry is left out). */
    public Endpoints withKafka(dev.imprint.server.config.ImprintConfig.Kafka k) {
        Map<String, String> entry = k == null ? null
                : Map.of("bootstrap", k.bootstrap(), "telemetryTopic", k.telemetryTopic(), "eventsTopic", k.eventsTopic());
        return new Endpoints(pki, est, admin, console, trust, dps, hubs, entry == null ? null : new java.util.TreeMap<>(entry), aws);
    }

    /** With the AWS endpoint's entry ({@code mqtt}); null for none. */
    public Endpoints withAws(Map<String, String> awsEntry) {
        return new Endpoints(pki, est, admin, console, trust, dps, hubs, kafka, awsEntry);
    }

    public void write(Path dataDir) throws IOException {
        PrivateFiles.writePublic(dataDir.resolve(FILE), JSON.writeValueAsBytes(this));
    }

    /** @throws IOException when the file is missing or unreadable */
    public static Endpoints read(Path dataDir) throws IOException {
        return new ObjectMapper().configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .readValue(dataDir.resolve(FILE).toFile(), Endpoints.class);
    }
}
