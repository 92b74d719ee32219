package dev.imprint.bench.dps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.pki.KeyAlgorithm;
import dev.imprint.pki.Pem;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Fleet provisioning by claim on the AWS endpoint against the DPS's Azure registration, same run,
 * same devices, same JDK TLS: each AWS operation is a new mutual-TLS MQTT 3.1.1 connection (Paho)
 * with the factory certificate, the four answer subscriptions, create-from-csr with a key made
 * for it (a certificate issued), RegisterThing through template {@code default} (a DPS
 * registration), disconnect. The first connection of each device also registers it just in time.
 * Needs {@code imprint up} with {@code aws.enabled} and the DPS rate limits off.
 */
public final class AwsProvisioningLoad {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FROM_CSR = "$aws/certificates/create-from-csr/json";
    private static final String PROVISION = "$aws/provisioning-templates/default/provision/json";

    public static void main(String[] args) throws Exception {
        Path data = Path.of(DpsLoad.arg(args, "--data", "imprint-data"));
        int devices = Integer.parseInt(DpsLoad.arg(args, "--devices", "100"));
        int threads = Integer.parseInt(DpsLoad.arg(args, "--threads", "4"));
        int seconds = Integer.parseInt(DpsLoad.arg(args, "--seconds", "10"));
        int warmup = Integer.parseInt(DpsLoad.arg(args, "--warmup", "3"));
        long serverPid = Long.parseLong(DpsLoad.arg(args, "--server-pid", "0"));

        JsonNode endpoints = JSON.readTree(data.resolve("endpoints.json").toFile());
        URI dps = URI.create(endpoints.path("dps").path("https").asText());
        String scope = endpoints.path("dps").path("idScope").asText();
        String aws = endpoints.path("aws").path("mqtt").asText().replace("mqtts://", "ssl://");
        X509Certificate root = Pem.readCertificate(Path.of(endpoints.path("trust").asText()));
        List<DpsLoad.Device> fleet = DpsLoad.makeDevices(data, devices, root);
        System.out.printf("%d devices issued by the manufacturing CA; %d client threads; JDK TLS client%n", devices, threads);

        DpsLoad.Result a = DpsLoad.run("imprint AWS fleet provisioning", fleet, threads, warmup, seconds, serverPid, dev -> provision(dev, aws));
        InetSocketAddress dpsAt = new InetSocketAddress(dps.getHost(), dps.getPort());
        DpsLoad.Result d = DpsLoad.run("imprint DPS (Azure registration)", fleet, threads, warmup, seconds, serverPid,
                dev -> DpsLoad.once(dev, dpsAt, scope));
        System.out.printf("%nratio AWS fleet provisionings / DPS registrations: %.0f%%; server CPU per op: %.2f ms vs %.2f ms%n",
                100.0 * a.rate() / d.rate(), a.serverCpuMs(), d.serverCpuMs());
    }

    /** One fleet provisioning on a new connection; true when both answers were accepted. */
    private static boolean provision(DpsLoad.Device dev, String uri) throws Exception {
        MqttClient c = new MqttClient(uri, dev.id(), new MemoryPersistence());
        try {
            MqttConnectOptions o = new MqttConnectOptions();
            o.setSocketFactory(dev.ctx().getSocketFactory());
            o.setCleanSession(true);
            o.setAutomaticReconnect(false);
            o.setHttpsHostnameVerificationEnabled(false);
            o.setConnectionTimeout(10);
            c.connect(o);
            BlockingQueue<String> answers = new LinkedBlockingQueue<>();
            String[] filters = {FROM_CSR + "/accepted", FROM_CSR + "/rejected", PROVISION + "/accepted", PROVISION + "/rejected"};
            for (String f : filters) {
                c.subscribe(f, 1, (topic, m) -> answers.add(topic + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));
            }
            KeyPair kp = KeyAlgorithm.EC_P256.generate();
            String csr = Pem.write(new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + dev.id()), kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
            c.publish(FROM_CSR, JSON.createObjectNode().put("certificateSigningRequest", csr).toString().getBytes(StandardCharsets.UTF_8), 1, false);
            String cert = answers.poll(10, TimeUnit.SECONDS);
            if (cert == null || !cert.startsWith(FROM_CSR + "/accepted ")) {
                return false;
            }
            String token = JSON.readTree(cert.substring(cert.indexOf(' ') + 1)).path("certificateOwnershipToken").asText();
            c.publish(PROVISION, JSON.createObjectNode().put("certificateOwnershipToken", token).toString().getBytes(StandardCharsets.UTF_8), 1, false);
            String thing = answers.poll(10, TimeUnit.SECONDS);
            c.disconnect();
            return thing != null && thing.startsWith(PROVISION + "/accepted ");
        } finally {
            c.close(true);
        }
    }

    private AwsProvisioningLoad() {}
}
