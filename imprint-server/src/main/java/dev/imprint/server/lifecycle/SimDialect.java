package dev.imprint.server.lifecycle;

import dev.imprint.device.cloud.AwsDialect;
import dev.imprint.device.cloud.AzureDialect;
import dev.imprint.device.cloud.CloudConfig;
import dev.imprint.device.cloud.DeviceClient;
import dev.imprint.device.cloud.DeviceRuntime;
import dev.imprint.device.cloud.Dialect;
import dev.imprint.device.cloud.Identity;
import dev.imprint.server.up.Endpoints;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Which cloud protocol a simulated fleet speaks ({@code imprint device simulate --dialect}): how
 * its devices are made, and the words the summary uses. Azure: DPS, the hubs, EST. AWS: fleet
 * provisioning by claim, the AWS endpoint, create-from-csr; each device also reports its state
 * to its shadow once connected.
 *
 * @param rotation how a rotation is done, for the summary
 */
public record SimDialect(String name, Function<DeviceRuntime, Dialect> dialect, String rotation) {
    public static SimDialect azure(CloudConfig cloud) {
        return new SimDialect("azure", rt -> new AzureDialect(rt, cloud, DeviceClient.Options.defaults().timeout()), "EST simplereenroll");
    }

    /** @param endpoint endpoints.json {@code aws.mqtt}; @param template {@code aws.template} */
    public static SimDialect aws(CloudConfig cloud, URI endpoint, String template) {
        return new SimDialect("aws", rt -> new AwsDialect(rt, endpoint, template, cloud.trust(), DeviceClient.Options.defaults().timeout()),
                "create-from-csr on the operational certificate");
    }

    /**
     * {@code azure} or {@code aws} as a running server's endpoints.json in {@code dataDir} offers it.
     *
     * @throws IllegalArgumentException an unknown name
     * @throws IOException aws, and the server runs no AWS endpoint
     */
    public static SimDialect of(String name, Path dataDir, CloudConfig cloud) throws IOException {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "azure":
                return azure(cloud);
            case "aws":
                Map<String, String> aws = Endpoints.read(dataDir).aws();
                if (aws == null || aws.get("mqtt") == null) {
                    throw new IOException(dataDir.resolve("endpoints.json") + " names no AWS endpoint (is aws.enabled on?)");
                }
                return aws(cloud, URI.create(aws.get("mqtt")), aws.getOrDefault("template", AwsDialect.DEFAULT_TEMPLATE));
            default:
                throw new IllegalArgumentException("'" + name + "': azure or aws");
        }
    }

    boolean aws() {
        return name.equals("aws");
    }

    DeviceClient client(DeviceRuntime rt, CloudConfig cloud, SimDevice d) {
        DeviceClient c = new DeviceClient(rt, cloud, dialect.apply(rt), d.id, new Identity(d.state.key(), d.state.chain()), d.state,
                DeviceClient.Options.defaults(), d);
        if (aws()) {
            c.onDesiredProperties(desired -> d.desired());
        }
        return c;
    }
}
