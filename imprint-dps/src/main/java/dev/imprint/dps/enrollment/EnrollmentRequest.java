package dev.imprint.dps.enrollment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.dps.DpsException;
import dev.imprint.mqtt.TopicPolicy;
import dev.imprint.pki.Pem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * An enrollment as the admin API and CLI send it (JSON). {@code ca} is a PEM certificate or the
 * name of one of Imprint's CAs ({@code manufacturing}, {@code operational}), resolved by the caller.
 */
public record EnrollmentRequest(
        String name,
        String kind,
        String ca,
        String idPattern,
        String deviceId,
        String allocation,
        ObjectNode allocationSettings,
        List<String> hubs,
        ObjectNode tags,
        ObjectNode desired,
        String reprovision,
        Boolean enabled,
        TopicPolicy awsPolicy) {

    /** A request without an AWS topic policy. */
    public EnrollmentRequest(String name, String kind, String ca, String idPattern, String deviceId, String allocation,
            ObjectNode allocationSettings, List<String> hubs, ObjectNode tags, ObjectNode desired, String reprovision, Boolean enabled) {
        this(name, kind, ca, idPattern, deviceId, allocation, allocationSettings, hubs, tags, desired, reprovision, enabled, null);
    }

    /** Resolves a CA name to a certificate; null when unknown. */
    @FunctionalInterface
    public interface CaResolver {
        java.security.cert.X509Certificate byName(String name);
    }

    /**
     * Validates everything at once and builds the enrollment.
     *
     * @throws IllegalArgumentException listing every problem
     * @throws DpsException 400 with the first policy problem's code when the AWS topic policy is refused
     */
    public Enrollment toEnrollment(CaResolver cas, Instant now, Instant createdAt) {
        List<TopicPolicy.Problem> refused = awsPolicy == null ? List.of() : awsPolicy.problems();
        if (!refused.isEmpty()) {
            throw new DpsException(refused.get(0).code(), 400, "awsPolicy: "
                    + String.join("; ", refused.stream().map(TopicPolicy.Problem::message).toList()), 0);
        }
        List<String> problems = new ArrayList<>();
        if (name == null || !name.matches("[A-Za-z0-9._:-]{1,128}")) {
            problems.add("name must be 1-128 of A-Z a-z 0-9 . _ : -");
        }
        Enrollment.Kind k = null;
        String kindName = kind == null ? (deviceId != null ? "individual" : "group") : kind;
        try {
            k = Enrollment.Kind.valueOf(kindName.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add("kind must be group or individual");
        }
        java.security.cert.X509Certificate caCert = null;
        if (ca != null && !ca.isBlank()) {
            if (ca.contains("-----BEGIN")) {
                try {
                    caCert = Pem.readCertificates(ca).get(0);
                } catch (RuntimeException e) {
                    problems.add("ca: " + e.getMessage());
                }
            } else if ((caCert = cas.byName(ca)) == null) {
                problems.add("ca: no CA named " + ca);
            }
        }
        if (k == Enrollment.Kind.GROUP && caCert == null && problems.stream().noneMatch(p -> p.startsWith("ca:"))) {
            problems.add("a group enrollment needs ca (PEM or CA name)");
        }
        if (k == Enrollment.Kind.INDIVIDUAL && (deviceId == null || deviceId.isBlank())) {
            problems.add("an individual enrollment needs deviceId");
        }
        Pattern pattern = null;
        if (idPattern != null && !idPattern.isBlank()) {
            try {
                pattern = Pattern.compile(idPattern);
            } catch (PatternSyntaxException e) {
                problems.add("idPattern: " + e.getDescription());
            }
        }
        String policy = allocation == null ? "hashed" : allocation;
        if (!Enrollment.POLICIES.contains(policy)) {
            problems.add("allocation must be one of " + Enrollment.POLICIES);
        }
        ReprovisionPolicy rp = null;
        try {
            rp = ReprovisionPolicy.of(reprovision == null ? "reprovisionAndMigrate" : reprovision);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new Enrollment(name, k, k == Enrollment.Kind.GROUP ? caCert : null, pattern,
                k == Enrollment.Kind.INDIVIDUAL ? deviceId : null, policy, orEmpty(allocationSettings),
                hubs == null ? List.of() : hubs, orEmpty(tags), orEmpty(desired), rp, enabled == null || enabled,
                createdAt == null ? now : createdAt, now, awsPolicy);
    }

    private static ObjectNode orEmpty(JsonNode n) {
        return n instanceof ObjectNode o ? o : Enrollment.JSON.createObjectNode();
    }
}
