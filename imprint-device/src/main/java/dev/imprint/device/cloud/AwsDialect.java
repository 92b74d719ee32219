package dev.imprint.device.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imprint.device.Csrs;
import dev.imprint.device.DeviceKey;
import dev.imprint.device.OperationalState;
import dev.imprint.pki.Pem;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The AWS IoT Core dialect, against one endpoint that serves provisioning and data alike:
 * <ul>
 * <li>provisioning is fleet provisioning by claim where the claim is the device's own factory
 *     certificate: {@code $aws/certificates/create-from-csr/json} with a CSR for a key made here,
 *     then RegisterThing on {@code $aws/provisioning-templates/<template>/provision/json} with the
 *     certificate ownership token; a refusal carries the server's reason (REVOKED, TEMPLATE_NOT_FOUND ...);
 * <li>the session is MQTT 5 with client ID = thing name = device ID: telemetry on
 *     {@code dt/<thing>/telemetry}, the classic shadow as the twin (get, reported update, delta);
 * <li>renewal is create-from-csr on the live session, authenticated by the operational
 *     certificate: the same thing name, a new key.
 * </ul>
 * No cloud-to-device messages or direct methods: AWS's back end reaches a device through its shadow.
 */
public final class AwsDialect implements Dialect {
    /** The provisioning template the default enrollment answers to ({@code aws.template}). */
    public static final String DEFAULT_TEMPLATE = "default";

    private final DeviceRuntime rt;
    private final URI endpoint;
    private final String template;
    private final List<X509Certificate> trust;
    private final Duration timeout;

    /**
     * @param endpoint the AWS endpoint, {@code mqtts://host:port} (endpoints.json {@code aws.mqtt})
     * @param template the provisioning template to register through (endpoints.json {@code aws.template})
     */
    public AwsDialect(DeviceRuntime rt, URI endpoint, String template, List<X509Certificate> trust, Duration timeout) {
        this.rt = rt;
        this.endpoint = endpoint;
        this.template = template == null || template.isBlank() ? DEFAULT_TEMPLATE : template;
        this.trust = List.copyOf(trust);
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return "aws";
    }

    @Override
    public CompletableFuture<OperationalState.Operational> provision(Identity factory, String deviceId, DeviceKey key) {
        return AwsConnection.open(rt, endpoint, factory, trust, deviceId, AwsWire.provisioningFilters(template), true, null, timeout)
                .thenCompose(c -> fromCsr(c, deviceId, key).thenCompose(issued -> c.call(AwsWire.registerThing(template), "",
                                AwsWire.registerThingBody(template, issued.token(), Map.of("ThingName", deviceId)), timeout)
                        .thenApply(thing -> {
                            String name = thing.path("thingName").asText("");
                            if (!name.equals(deviceId)) {
                                throw CloudException.refused("THING_NAME_MISMATCH", "RegisterThing named '" + name + "', not " + deviceId);
                            }
                            return new OperationalState.Operational(key, issued.chain(), endpoint.getHost());
                        }))
                        .whenComplete((o, t) -> c.close()));
    }

    @Override
    public CompletableFuture<Session> connect(OperationalState.Operational op, String deviceId, Session.Inbound inbound) {
        return AwsConnection.open(rt, endpoint, new Identity(op.key(), op.chain()), trust, deviceId, AwsWire.sessionFilters(deviceId), false,
                inbound, timeout).thenApply(c -> c);
    }

    @Override
    public CompletableFuture<List<X509Certificate>> renew(Identity current, String deviceId, DeviceKey key, Session live) {
        if (live instanceof AwsConnection c && c.active()) {
            return fromCsr(c, deviceId, key).thenApply(Issued::chain);
        }
        // not connected: a connection of its own with the current certificate
        return AwsConnection.open(rt, endpoint, current, trust, deviceId, List.of(AwsWire.FROM_CSR + "/accepted", AwsWire.FROM_CSR + "/rejected"),
                        false, null, timeout)
                .thenCompose(c -> fromCsr(c, deviceId, key).whenComplete((i, t) -> c.close()).thenApply(Issued::chain));
    }

    private record Issued(List<X509Certificate> chain, String token) {}

    private CompletableFuture<Issued> fromCsr(AwsConnection c, String deviceId, DeviceKey key) {
        return c.call(AwsWire.FROM_CSR, "", AwsWire.fromCsr(csrPem(key, deviceId)), timeout).thenApply(AwsDialect::issued);
    }

    private static String csrPem(DeviceKey key, String deviceId) {
        try {
            return Pem.write(new org.bouncycastle.pkcs.PKCS10CertificationRequest(Csrs.build(key, deviceId)));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a CSR made here does not parse", e);
        }
    }

    private static Issued issued(JsonNode a) {
        try {
            return new Issued(Pem.readCertificates(a.path("certificatePem").asText("")), a.path("certificateOwnershipToken").asText(""));
        } catch (RuntimeException e) {
            throw CloudException.transientFailure("BAD_RESPONSE", "certificatePem does not parse: " + e.getMessage());
        }
    }
}
