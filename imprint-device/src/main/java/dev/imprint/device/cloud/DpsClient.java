package dev.imprint.device.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Registration with the provisioning service in the Azure DPS protocol, over HTTPS or MQTT as
 * {@link CloudConfig#dpsTransport()} says: register (with a CSR for an operational certificate),
 * then poll the operation after each Retry-After until its status is final. Authenticated by
 * mutual TLS with the identity given (the factory certificate). Both transports carry the same
 * JSON answers, read here once, so a refusal has the same reason code on either.
 */
public final class DpsClient {
    public static final String API_VERSION = "2021-06-01";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CODE = Pattern.compile("^([A-Z][A-Z0-9_]+)\\b");
    private static final int MAX_POLLS = 30;

    /**
     * The outcome, whatever the transport. @param hubHostname the assigned hub's host name;
     * @param issuedChain the operational certificate chain when a CSR was sent (leaf first), else empty
     */
    public record Registration(String deviceId, String hubHostname, String substatus, List<X509Certificate> issuedChain) {}

    private final DeviceRuntime rt;
    private final CloudConfig config;
    private final Duration timeout;

    public DpsClient(DeviceRuntime rt, CloudConfig config, Duration timeout) {
        this.rt = rt;
        this.config = config;
        this.timeout = timeout;
    }

    /**
     * Registers {@code registrationId} authenticated by {@code identity}; {@code csrDer} may be null.
     * Fails with a {@link CloudException}: permanent with the server's reason code (REVOKED,
     * NO_ENROLLMENT, ENROLLMENT_DISABLED ...) on a refusal, or NO_DPS_MQTT when MQTT is asked for
     * and the configuration has no MQTT address; transient (RATE_LIMITED with its Retry-After,
     * CONNACK_SERVER_UNAVAILABLE, UNREACHABLE, TLS_FAILED, TIMEOUT) otherwise.
     */
    public CompletableFuture<Registration> register(Identity identity, String registrationId, byte[] csrDer) {
        ObjectNode body = JSON.createObjectNode().put("registrationId", registrationId);
        if (csrDer != null) {
            body.put("csr", Base64.getEncoder().encodeToString(csrDer));
        }
        CompletableFuture<DpsExchange> opened;
        if (config.dpsTransport() == DpsTransport.MQTT) {
            if (config.dpsMqtt() == null) {
                return CompletableFuture.failedFuture(CloudException.refused("NO_DPS_MQTT", "MQTT chosen but no DPS MQTT address configured"));
            }
            opened = MqttDpsExchange.open(rt, config, identity, registrationId, timeout);
        } else {
            opened = HttpsDpsExchange.open(rt, config, identity, registrationId, timeout);
        }
        return opened.thenCompose(x -> x.register(body.toString().getBytes(StandardCharsets.UTF_8))
                .thenCompose(a -> next(x, a, 0))
                .whenComplete((r, t) -> x.close()));
    }

    private CompletableFuture<Registration> next(DpsExchange x, DpsExchange.Answer a, int polls) {
        JsonNode n = parse(a);
        if (a.status() >= 300) {
            throw refusal(a, n);
        }
        String status = n.path("status").asText("").toLowerCase(Locale.ROOT);
        if (status.equals("assigned")) {
            return CompletableFuture.completedFuture(assigned(n.path("registrationState")));
        }
        if (status.equals("failed") || status.equals("disabled")) {
            String msg = n.path("registrationState").path("errorMessage").asText(status);
            throw CloudException.refused(codeOf(msg, status.equals("disabled") ? "DISABLED" : "FAILED"), msg);
        }
        if (polls >= MAX_POLLS || !n.hasNonNull("operationId")) {
            throw CloudException.transientFailure("BAD_RESPONSE", "no final status after " + polls + " polls: " + a.text());
        }
        // honour Retry-After (the DPS's pacing of polls); none given: half a second
        Duration wait = a.retryAfter() >= 0 ? Duration.ofSeconds(a.retryAfter()) : Duration.ofMillis(500);
        String op = n.get("operationId").asText();
        return rt.sleep(wait).thenCompose(v -> x.status(op)).thenCompose(b -> next(x, b, polls + 1));
    }

    private static Registration assigned(JsonNode s) {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (JsonNode c : s.path("issuedCertificateChain")) {
                chain.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(c.asText()))));
            }
        } catch (CertificateException | IllegalArgumentException e) {
            throw CloudException.transientFailure("BAD_RESPONSE", "issuedCertificateChain does not parse: " + e.getMessage());
        }
        if (s.path("assignedHub").asText("").isEmpty()) {
            throw CloudException.transientFailure("BAD_RESPONSE", "assigned without a hub");
        }
        return new Registration(s.path("deviceId").asText(), s.path("assignedHub").asText(), s.path("substatus").asText(null), chain);
    }

    private static CloudException refusal(DpsExchange.Answer a, JsonNode n) {
        String code = n.hasNonNull("reason") ? n.get("reason").asText() : codeOf(n.path("message").asText(""), "HTTP_" + a.status());
        String msg = n.path("message").asText(a.text());
        if (a.status() == 429 || a.status() >= 500) {
            Duration ra = a.retryAfter() >= 0 ? Duration.ofSeconds(a.retryAfter()) : null;
            return new CloudException(code, msg, ra, false);
        }
        return CloudException.refused(code, msg);
    }

    private static JsonNode parse(DpsExchange.Answer a) {
        try {
            JsonNode n = a.body().length == 0 ? null : JSON.readTree(a.body());
            return n == null ? JSON.createObjectNode() : n;
        } catch (java.io.IOException e) {
            if (a.status() >= 300) {
                return JSON.createObjectNode();
            }
            throw CloudException.transientFailure("BAD_RESPONSE", "DPS answered " + a.status() + " with a body that is not JSON");
        }
    }

    static String codeOf(String message, String fallback) {
        Matcher m = CODE.matcher(message == null ? "" : message);
        return m.find() ? m.group(1) : fallback;
    }
}
