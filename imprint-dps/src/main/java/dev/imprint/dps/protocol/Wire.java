package dev.imprint.dps.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.imprint.dps.DpsException;
import dev.imprint.dps.DpsReason;
import dev.imprint.dps.registration.Operation;
import dev.imprint.dps.registration.RegistrationRequest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * The Azure DPS JSON shapes, shared by the HTTPS and MQTT device APIs: register bodies in,
 * operation statuses and errors out. Checked against the Java device SDK 2.1.3: the answer's
 * {@code payload} is always an object, and failed or disabled operations always carry a
 * {@code registrationState} with {@code errorCode} and {@code errorMessage}.
 */
public final class Wire {
    public static final ObjectMapper JSON = new ObjectMapper();

    private Wire() {}

    /**
     * Parses a register body ({@code {"registrationId", "payload", "csr"}}; empty allowed).
     * {@code payload} may be JSON or a string holding JSON (the Java SDK's form); {@code csr} is
     * base64 DER or PEM.
     *
     * @throws DpsException BAD_REQUEST when the body is not a JSON object or the CSR is not base64
     */
    public static RegistrationRequest registerRequest(String registrationId, byte[] body, List<X509Certificate> chain) {
        JsonNode b;
        try {
            b = body == null || body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new DpsException(DpsReason.BAD_REQUEST, "the body is not JSON");
        }
        if (b == null || !b.isObject()) {
            throw new DpsException(DpsReason.BAD_REQUEST, "the body must be a JSON object");
        }
        String bodyId = b.hasNonNull("registrationId") ? b.get("registrationId").asText() : null;
        return new RegistrationRequest(registrationId, bodyId, payload(b.get("payload")), csr(b.get("csr")), chain);
    }

    static JsonNode payload(JsonNode p) {
        if (p == null || p.isNull()) {
            return null;
        }
        if (p.isTextual()) {
            try {
                return JSON.readTree(p.asText());
            } catch (java.io.IOException e) {
                return p; // a plain string payload stays a string
            }
        }
        return p;
    }

    static byte[] csr(JsonNode c) {
        if (c == null || c.isNull() || c.asText().isBlank()) {
            return null;
        }
        String s = c.asText().replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new DpsException(DpsReason.BAD_REQUEST, "csr is neither base64 DER nor PEM");
        }
    }

    /** The answer to a register: the operation is accepted and being assigned (poll it). */
    public static ObjectNode assigning(Operation op) {
        ObjectNode n = JSON.createObjectNode();
        n.put("operationId", op.operationId());
        n.put("status", "assigning");
        return n;
    }

    /** The answer to a poll: the full {@code RegistrationOperationStatus}. */
    public static ObjectNode status(Operation op) {
        ObjectNode n = JSON.createObjectNode();
        n.put("operationId", op.operationId());
        n.put("status", op.status());
        ObjectNode s = n.putObject("registrationState");
        s.put("registrationId", op.registrationId());
        s.put("createdDateTimeUtc", op.createdAt().toString());
        s.put("lastUpdatedDateTimeUtc", op.updatedAt().toString());
        s.put("status", op.status());
        if (op.assigned()) {
            s.put("assignedHub", op.hub());
            s.put("deviceId", op.deviceId());
            s.put("substatus", op.substatus());
            s.put("etag", op.etag());
            if (op.payload() != null && op.payload().isObject()) {
                s.set("payload", op.payload());
            }
            if (!op.issuedChain().isEmpty()) {
                s.set("issuedCertificateChain", JSON.valueToTree(op.issuedChain()));
            }
        } else {
            s.put("errorCode", op.errorCode());
            s.put("errorMessage", op.errorMessage());
        }
        return n;
    }

    /** An error body: Azure's {@code errorCode}, {@code trackingId}, {@code message}, plus Imprint's {@code reason}. */
    public static ObjectNode error(DpsException e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("errorCode", e.errorCode());
        n.put("trackingId", UUID.randomUUID().toString());
        n.put("message", e.reason() + ": " + e.getMessage());
        n.put("reason", e.reason());
        n.put("timestampUtc", Instant.now().toString());
        return n;
    }

    /** A TextNode helper for tests and callers. */
    public static JsonNode text(String s) {
        return TextNode.valueOf(s);
    }
}
