package dev.imprint.dps.enrollment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.mqtt.TopicPolicy;
import dev.imprint.pki.Pem;
import dev.imprint.store.EnrollmentRecord;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A parsed, validated enrollment: a group (every device whose path contains {@code ca},
 * optionally narrowed by {@code idPattern}) or an individual one (one registration ID;
 * overrides any group).
 *
 * @param allocation policy name: hashed, static, region or webhook
 * @param allocationSettings that policy's settings (JSON object)
 * @param hubs hub names to choose from; empty = every hub
 * @param awsPolicy extra topics its devices may use on the AWS endpoint ({@link TopicPolicy#NONE} when none)
 */
public record Enrollment(
        String name,
        Kind kind,
        X509Certificate ca,
        Pattern idPattern,
        String deviceId,
        String allocation,
        ObjectNode allocationSettings,
        List<String> hubs,
        ObjectNode tags,
        ObjectNode desired,
        ReprovisionPolicy reprovision,
        boolean enabled,
        Instant createdAt,
        Instant updatedAt,
        TopicPolicy awsPolicy) {

    static final ObjectMapper JSON = new ObjectMapper();
    /** The allocation policies this service knows. */
    public static final List<String> POLICIES = List.of("hashed", "static", "region", "webhook");

    public enum Kind { GROUP, INDIVIDUAL }

    public Enrollment {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        hubs = List.copyOf(hubs);
        awsPolicy = awsPolicy == null ? TopicPolicy.NONE : awsPolicy;
        if (kind == Kind.GROUP && ca == null) {
            throw new IllegalArgumentException("a group enrollment needs the CA certificate its devices chain to");
        }
        if (kind == Kind.INDIVIDUAL && (deviceId == null || deviceId.isBlank())) {
            throw new IllegalArgumentException("an individual enrollment needs a device ID");
        }
        if (!POLICIES.contains(allocation)) {
            throw new IllegalArgumentException("unknown allocation policy '" + allocation + "' (one of " + POLICIES + ")");
        }
    }

    /** An enrollment with the default AWS topic policy alone. */
    public Enrollment(String name, Kind kind, X509Certificate ca, Pattern idPattern, String deviceId, String allocation,
            ObjectNode allocationSettings, List<String> hubs, ObjectNode tags, ObjectNode desired, ReprovisionPolicy reprovision,
            boolean enabled, Instant createdAt, Instant updatedAt) {
        this(name, kind, ca, idPattern, deviceId, allocation, allocationSettings, hubs, tags, desired, reprovision, enabled,
                createdAt, updatedAt, TopicPolicy.NONE);
    }

    /** Parses a stored record. @throws IllegalArgumentException when it does not parse */
    public static Enrollment from(EnrollmentRecord r) {
        try {
            return new Enrollment(r.name(), Kind.valueOf(r.kind().toUpperCase(java.util.Locale.ROOT)),
                    r.caPem() == null ? null : Pem.readCertificates(r.caPem()).get(0),
                    r.idPattern() == null ? null : Pattern.compile(r.idPattern()),
                    r.deviceId(), r.allocation(), object(r.allocationJson(), "allocation settings"), r.hubs(),
                    object(r.tagsJson(), "tags"), object(r.desiredJson(), "desired properties"),
                    ReprovisionPolicy.of(r.reprovision()), r.enabled(), r.createdAt(), r.updatedAt(), awsPolicy(r.awsPolicyJson()));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("enrollment " + r.name() + ": bad ID pattern: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("enrollment " + r.name() + ": " + e.getMessage(), e);
        }
    }

    public EnrollmentRecord toRecord() {
        return new EnrollmentRecord(name, kind.name().toLowerCase(java.util.Locale.ROOT), ca == null ? null : Pem.write(ca),
                idPattern == null ? null : idPattern.pattern(), deviceId, allocation, allocationSettings.toString(), hubs,
                tags.toString(), desired.toString(), reprovision.wire(), enabled, createdAt, updatedAt,
                awsPolicy.empty() ? null : awsPolicyJson(awsPolicy));
    }

    /** The stored form of an AWS topic policy, read by the hub too. */
    public static TopicPolicy awsPolicy(String json) {
        try {
            return json == null ? TopicPolicy.NONE : JSON.readValue(json, TopicPolicy.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("AWS topic policy is not {\"publish\":[...],\"subscribe\":[...]}: " + e.getOriginalMessage(), e);
        }
    }

    private static String awsPolicyJson(TopicPolicy p) {
        try {
            return JSON.writeValueAsString(p);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a list of strings is always JSON", e);
        }
    }

    /** True when this enrollment covers {@code registrationId} presenting {@code path} (leaf first, anchor last). */
    public boolean covers(String registrationId, List<X509Certificate> path) {
        if (kind == Kind.INDIVIDUAL) {
            return deviceId.equals(registrationId);
        }
        if (idPattern != null && !idPattern.matcher(registrationId).matches()) {
            return false;
        }
        for (int i = 1; i < path.size(); i++) {
            X509Certificate c = path.get(i);
            // the same CA: same name and key (a re-issued CA certificate with the same key still counts)
            if (c.equals(ca) || (c.getSubjectX500Principal().equals(ca.getSubjectX500Principal())
                    && Arrays.equals(c.getPublicKey().getEncoded(), ca.getPublicKey().getEncoded()))) {
                return true;
            }
        }
        return false;
    }

    static ObjectNode object(String json, String what) {
        try {
            JsonNode n = JSON.readTree(json == null || json.isBlank() ? "{}" : json);
            if (!(n instanceof ObjectNode o)) {
                throw new IllegalArgumentException(what + " must be a JSON object");
            }
            return o;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(what + " is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
