package dev.imprint.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.pki.KeyAlgorithm;
import dev.imprint.pki.LogSafe;
import dev.imprint.pki.Pem;
import dev.imprint.store.AuditLog;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AWS IoT fleet provisioning by claim, where the claim is the device's own factory certificate
 * (every claim a different device, nothing shared by a batch):
 * <ul>
 * <li>{@code $aws/certificates/create-from-csr/json}: an operational certificate for the key the
 *     device made, with an {@link OwnershipTokens ownership token}; on a connection authenticated
 *     by the operational certificate this is rotation, same thing name, new key;
 * <li>{@code $aws/provisioning-templates/<template>/provision/json} (RegisterThing): the
 *     provisioning service's registration through enrollment {@code <template>}, the parameters
 *     as the allocation's payload;
 * <li>{@code $aws/certificates/create/json}: keys made by the server, refused unless enabled
 *     (SERVER_KEYS_REFUSED), and audited when enabled.
 * </ul>
 * Answers go on {@code <request>/accepted} or {@code /rejected} in AWS's shapes, the rejection
 * with our reason code as {@code errorCode}; every refusal is logged, audited and counted
 * ({@code imprint.aws.provisioning.refused{operation,reason}}). Blocking: call on the I/O executor.
 */
final class FleetProvisioning {
    private static final Logger LOG = LoggerFactory.getLogger(FleetProvisioning.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String CREATE_FROM_CSR = "$aws/certificates/create-from-csr/json";
    static final String CREATE_KEYS = "$aws/certificates/create/json";
    static final String TEMPLATES = "$aws/provisioning-templates/";
    static final String PROVISION = "/provision/json";

    private final ThingProvisioner provisioner;
    private final boolean serverKeys;
    private final OwnershipTokens tokens;

    /**
     * @param provisioner null when this node runs no provisioning service (every request: PROVISIONING_UNAVAILABLE)
     * @param serverKeys whether {@code $aws/certificates/create/json} may make a device's key here
     * @param tokenKey the ownership tokens' key ({@link OwnershipTokens#KEY_NAME}, shared by every node)
     */
    FleetProvisioning(ThingProvisioner provisioner, boolean serverKeys, Clock clock, byte[] tokenKey) {
        this.provisioner = provisioner;
        this.serverKeys = serverKeys;
        this.tokens = new OwnershipTokens(clock, tokenKey);
    }

    /** One answer, to the requesting connection only. */
    record Reply(String topic, byte[] payload) {}

    /** Whether {@code topic} is a fleet provisioning request (JSON payload format). */
    static boolean isRequest(String topic) {
        return topic.equals(CREATE_FROM_CSR) || topic.equals(CREATE_KEYS) || template(topic) != null;
    }

    /** The template of a RegisterThing topic, or null. */
    static String template(String topic) {
        if (!topic.startsWith(TEMPLATES) || !topic.endsWith(PROVISION)) {
            return null;
        }
        String t = topic.substring(TEMPLATES.length(), topic.length() - PROVISION.length());
        return t.isEmpty() || t.contains("/") || t.contains("+") || t.contains("#") ? null : t;
    }

    /**
     * Answers {@code thing}'s request on {@code topic}; {@code path} is its connection's validated
     * path, leaf first. Refusals and server-made keys go to {@code audit}, refusals are counted in
     * {@code meters} (may be null).
     */
    Reply handle(AuditLog audit, MeterRegistry meters, String thing, List<X509Certificate> path, String topic, byte[] payload) {
        String operation = topic.equals(CREATE_FROM_CSR) ? "CreateCertificateFromCsr" : topic.equals(CREATE_KEYS) ? "CreateKeysAndCertificate"
                : "RegisterThing";
        try {
            if (provisioner == null) {
                throw new ThingProvisioner.Refused(503, "PROVISIONING_UNAVAILABLE", "this node runs no provisioning service");
            }
            JsonNode body = body(payload);
            ObjectNode answer = switch (operation) {
                case "CreateCertificateFromCsr" -> fromCsr(thing, path.get(0), csr(body));
                case "CreateKeysAndCertificate" -> serverKeys(audit, thing, path.get(0));
                default -> register(thing, path, template(topic), body);
            };
            return new Reply(topic + "/accepted", JSON.writeValueAsBytes(answer));
        } catch (ThingProvisioner.Refused r) {
            refused(audit, meters, thing, operation, r);
            ObjectNode o = JSON.createObjectNode().put("statusCode", r.status()).put("errorCode", r.code()).put("errorMessage", r.getMessage());
            return new Reply(topic + "/rejected", o.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private ObjectNode fromCsr(String thing, X509Certificate current, byte[] csrDer) {
        List<X509Certificate> chain = provisioner.certificate(current, csrDer);
        String id = certificateId(chain.get(0));
        return JSON.createObjectNode().put("certificateId", id).put("certificatePem", Pem.write(chain.toArray()))
                .put("certificateOwnershipToken", tokens.mint(thing, id));
    }

    /** The key made here from the device's subject and names: only when enabled, and audited. */
    private ObjectNode serverKeys(AuditLog audit, String thing, X509Certificate current) {
        if (!serverKeys) {
            throw new ThingProvisioner.Refused(403, "SERVER_KEYS_REFUSED", "keys never leave the device here: make the key on the device"
                    + " and send its CSR to " + CREATE_FROM_CSR + " (aws.serverKeys enables this operation)");
        }
        KeyPair kp = KeyAlgorithm.EC_P256.generate();
        ObjectNode o = fromCsr(thing, current, csr(current, kp));
        o.put("privateKey", Pem.write(kp.getPrivate()));
        audit.append("aws.provisioning.server_keys", "device:" + thing, thing,
                JSON.createObjectNode().put("certificateId", o.path("certificateId").asText()).toString());
        return o;
    }

    private ObjectNode register(String thing, List<X509Certificate> path, String template, JsonNode body) {
        String refusal = tokens.refusal(body.path("certificateOwnershipToken").asText(null), thing);
        if (refusal != null) {
            throw new ThingProvisioner.Refused(400, refusal, "the certificate ownership token is not a valid, unexpired token of "
                    + thing + " from " + CREATE_FROM_CSR + " (" + refusal + ")");
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        JsonNode p = body.path("parameters");
        if (!p.isMissingNode() && !p.isNull() && !p.isObject()) {
            throw new ThingProvisioner.Refused(400, "INVALID_PARAMETERS", "parameters must be an object of strings");
        }
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) p::fields) {
            if (!e.getValue().isTextual()) {
                throw new ThingProvisioner.Refused(400, "INVALID_PARAMETERS", "parameter '" + e.getKey() + "' is not a string");
            }
            parameters.put(e.getKey(), e.getValue().asText());
        }
        String asked = parameters.get("ThingName");
        if (asked != null && !asked.equals(thing)) {
            throw new ThingProvisioner.Refused(403, "THING_NAME_MISMATCH", "thing name '" + asked + "' is not the certificate's identity '"
                    + thing + "'");
        }
        ThingProvisioner.Registered r = provisioner.register(path, template, parameters);
        ObjectNode o = JSON.createObjectNode();
        ObjectNode config = o.putObject("deviceConfiguration");
        r.deviceConfiguration().forEach(config::put);
        return o.put("thingName", r.thingName());
    }

    private static void refused(AuditLog audit, MeterRegistry meters, String thing, String operation, ThingProvisioner.Refused r) {
        LOG.info("event=aws.provisioning_refused device={} operation={} reason={} msg=\"{}\"", thing, operation, r.code(),
                LogSafe.of(r.getMessage()));
        if (meters != null) {
            meters.counter("imprint.aws.provisioning.refused", "operation", operation, "reason", r.code()).increment();
        }
        try {
            audit.append("aws.provisioning.refused", "device:" + thing, thing, JSON.createObjectNode()
                    .put("operation", operation).put("reason", r.code()).put("message", r.getMessage()).toString());
        } catch (RuntimeException e) {
            LOG.warn("event=aws.provisioning_audit_failed device={} reason={} msg=\"{}\"", thing, r.code(), e.toString());
        }
    }

    private static JsonNode body(byte[] payload) {
        if (payload.length == 0) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode n = JSON.readTree(payload);
            if (n != null && n.isObject()) {
                return n;
            }
        } catch (IOException e) {
            // answered below
        }
        throw new ThingProvisioner.Refused(400, "INVALID_JSON", "the request is not a JSON object");
    }

    private static byte[] csr(JsonNode body) {
        String pem = body.path("certificateSigningRequest").asText("");
        try {
            return Pem.readCsr(pem).getEncoded();
        } catch (IOException | RuntimeException e) {
            throw new ThingProvisioner.Refused(400, "CSR_MALFORMED", "certificateSigningRequest is not a PEM PKCS#10 request");
        }
    }

    /** A CSR for a key made here, naming the device as its current certificate does (subject, subject alternative names). */
    private static byte[] csr(X509Certificate current, KeyPair kp) {
        try {
            JcaPKCS10CertificationRequestBuilder b = new JcaPKCS10CertificationRequestBuilder(
                    X500Name.getInstance(current.getSubjectX500Principal().getEncoded()), kp.getPublic());
            byte[] san = current.getExtensionValue(Extension.subjectAlternativeName.getId());
            if (san != null) {
                b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, new Extensions(new Extension(Extension.subjectAlternativeName,
                        false, org.bouncycastle.asn1.ASN1OctetString.getInstance(san).getOctets())));
            }
            return b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** AWS's certificate ID: the 64-hex SHA-256 of the DER. */
    static String certificateId(X509Certificate c) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
