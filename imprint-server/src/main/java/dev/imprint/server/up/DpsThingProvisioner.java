package dev.imprint.server.up;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.dps.DpsException;
import dev.imprint.dps.ProvisioningService;
import dev.imprint.dps.enrollment.Enrollment;
import dev.imprint.dps.protocol.Wire;
import dev.imprint.dps.registration.Attestation;
import dev.imprint.dps.registration.Operation;
import dev.imprint.dps.registration.OperationalIssuer;
import dev.imprint.dps.registration.RegistrationRequest;
import dev.imprint.hub.ThingProvisioner;
import dev.imprint.pki.validation.Verdict;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The AWS endpoint's fleet and just-in-time provisioning, done by this node's provisioning
 * service: an AWS provisioning template is a DPS enrollment of the same name, and RegisterThing
 * is a DPS registration (the same attestation, rate limits, allocation, webhook and registry
 * record as the Azure device protocol), with the template's parameters as the device's payload.
 * The template named by {@code aws.template} (default {@code default}) is the default enrollment.
 */
public final class DpsThingProvisioner implements ThingProvisioner {
    /** The name of the enrollment {@code imprint up} makes on a fresh store. */
    static final String DEFAULT_ENROLLMENT = "default";

    private final ProvisioningService dps;
    private final String defaultTemplate;

    /** @param defaultTemplate the template name that means the default enrollment ({@code aws.template}) */
    public DpsThingProvisioner(ProvisioningService dps, String defaultTemplate) {
        this.dps = dps;
        this.defaultTemplate = defaultTemplate;
    }

    /** The enrollment a template name means: the default one for {@code aws.template}, else the enrollment of that name. */
    String enrollmentOf(String template) {
        return template.equals(defaultTemplate) ? DEFAULT_ENROLLMENT : template;
    }

    @Override
    public List<X509Certificate> certificate(X509Certificate current, byte[] csrDer) {
        OperationalIssuer issuer = dps.issuer();
        if (issuer == null) {
            throw new Refused(503, "CA_UNAVAILABLE", "this provisioning service issues no operational certificates");
        }
        try {
            return issuer.issue(current, csrDer);
        } catch (OperationalIssuer.IssuanceRefused e) {
            throw new Refused(400, e.code(), e.getMessage());
        }
    }

    @Override
    public Registered register(List<X509Certificate> path, String template, Map<String, String> parameters) {
        Attestation attestation = dps.registrar().attestation();
        Verdict v = attestation.verdict(path);
        if (v instanceof Verdict.Refused r) {
            // not a certificate of a provisioning CA (an operational one, say): there is nothing to register
            throw new Refused(403, "NOT_REGISTERED", "the device is not registered, and its certificate does not attest it for"
                    + " provisioning: " + r.reason() + " (" + r.detail() + ")");
        }
        String id = Attestation.registrationId(((Verdict.Accepted) v).identity());
        if (template != null) {
            String enrollment = enrollmentOf(template);
            Enrollment covering = dps.enrollments().match(id, ((Verdict.Accepted) v).path()).orElse(null);
            if (dps.enrollments().find(enrollment).isEmpty()) {
                throw new Refused(404, "TEMPLATE_NOT_FOUND", "no provisioning template (enrollment) named '" + template + "'");
            }
            if (covering == null || !covering.name().equals(enrollment)) {
                throw new Refused(403, "TEMPLATE_MISMATCH", "template '" + template + "' (enrollment '" + enrollment + "') does not cover device "
                        + id + (covering == null ? "" : " (enrollment '" + covering.name() + "' does)"));
            }
        }
        ObjectNode payload = Wire.JSON.createObjectNode();
        parameters.forEach(payload::put);
        Operation op;
        try {
            op = dps.registrar().register(new RegistrationRequest(id, null, payload, null, path));
        } catch (DpsException e) {
            throw new Refused(e.httpStatus(), e.reason(), e.getMessage());
        }
        if (!op.assigned()) {
            throw new Refused(op.errorCode() / 1000, op.reason(), op.errorMessage());
        }
        Map<String, String> config = new LinkedHashMap<>();
        JsonNode p = op.payload();
        if (p != null && p.isObject()) {
            p.fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
        }
        return new Registered(op.deviceId(), config);
    }
}
