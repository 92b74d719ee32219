package dev.imprint.device.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpMethod;
import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Registration with the provisioning service over HTTPS, in the Azure DPS protocol: {@code PUT
 * .../register} (with a CSR for an operational certificate), then {@code GET .../operations/{id}}
 * after each Retry-After until the status is final. Authenticated by mutual TLS with the
 * identity given (the factory certificate).
 */
public final class DpsClient {
    public static final String API_VERSION = "2021-06-01";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CODE = Pattern.compile("^([A-Z][A-Z0-9_]+)\\b");
    private static final int MAX_POLLS = 30;

    /**
     * The outcome. @param hubHostname the assigned hub's host name; @param issuedChain the
     * operational certificate chain when a CSR was sent (leaf first), else empty
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
     * NO_ENROLLMENT, ENROLLMENT_DISABLED ...) on a refusal; transient (RATE_LIMITED with its
     * Retry-After, UNREACHABLE, TLS_FAILED, TIMEOUT) otherwise.
     */
    public CompletableFuture<Registration> register(Identity identity, String registrationId, byte[] csrDer) {
        ObjectNode body = JSON.createObjectNode().put("registrationId", registrationId);
        if (csrDer != null) {
            body.put("csr", Base64.getEncoder().encodeToString(csrDer));
        }
        String base = "/" + enc(config.idScope()) + "/registrations/" + enc(registrationId);
        return HttpsConnection.open(rt, config.dps(), Tls.client(identity, config.trust()), timeout).thenCompose(conn ->
                conn.send(HttpMethod.PUT, base + "/register?api-version=" + API_VERSION, "application/json; charset=utf-8",
                                body.toString().getBytes(StandardCharsets.UTF_8), timeout)
                        .thenCompose(r -> next(conn, base, r, 0))
                        .whenComplete((r, t) -> conn.close()));
    }

    private CompletableFuture<Registration> next(HttpsConnection conn, String base, HttpsConnection.Response r, int polls) {
        JsonNode n = parse(r);
        if (r.status() >= 300) {
            throw refusal(r, n);
        }
        String status = n.path("status").asText("").toLowerCase(java.util.Locale.ROOT);
        if (status.equals("assigned")) {
            return CompletableFuture.completedFuture(assigned(n.path("registrationState")));
        }
        if (status.equals("failed") || status.equals("disabled")) {
            String msg = n.path("registrationState").path("errorMessage").asText(status);
            throw CloudException.refused(codeOf(msg, status.equals("disabled") ? "DISABLED" : "FAILED"), msg);
        }
        if (polls >= MAX_POLLS || !n.hasNonNull("operationId")) {
            throw CloudException.transientFailure("BAD_RESPONSE", "no final status after " + polls + " polls: " + r.text());
        }
        // honour Retry-After (the DPS's pacing of polls); none given: half a second
        Duration wait = r.retryAfter() >= 0 ? Duration.ofSeconds(r.retryAfter()) : Duration.ofMillis(500);
        String op = base + "/operations/" + enc(n.get("operationId").asText()) + "?api-version=" + API_VERSION;
        return rt.sleep(wait).thenCompose(v -> conn.send(HttpMethod.GET, op, null, null, timeout))
                .thenCompose(next -> next(conn, base, next, polls + 1));
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

    private static CloudException refusal(HttpsConnection.Response r, JsonNode n) {
        String code = n.hasNonNull("reason") ? n.get("reason").asText() : codeOf(n.path("message").asText(""), "HTTP_" + r.status());
        String msg = n.path("message").asText(r.text());
        if (r.status() == 429 || r.status() >= 500) {
            Duration ra = r.retryAfter() >= 0 ? Duration.ofSeconds(r.retryAfter()) : null;
            return new CloudException(code, msg, ra, false);
        }
        return CloudException.refused(code, msg);
    }

    private static JsonNode parse(HttpsConnection.Response r) {
        try {
            JsonNode n = r.body().length == 0 ? null : JSON.readTree(r.body());
            return n == null ? JSON.createObjectNode() : n;
        } catch (java.io.IOException e) {
            if (r.status() >= 300) {
                return JSON.createObjectNode();
            }
            throw CloudException.transientFailure("BAD_RESPONSE", "DPS answered " + r.status() + " with a body that is not JSON");
        }
    }

    static String codeOf(String message, String fallback) {
        Matcher m = CODE.matcher(message == null ? "" : message);
        return m.find() ? m.group(1) : fallback;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
