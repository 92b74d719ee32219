package dev.imprint.dps.registration;

import dev.imprint.pki.LogSafe;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.dps.DpsException;
import dev.imprint.dps.DpsReason;
import dev.imprint.dps.allocation.Allocation;
import dev.imprint.dps.allocation.AllocationRequest;
import dev.imprint.dps.allocation.Allocators;
import dev.imprint.dps.enrollment.Enrollment;
import dev.imprint.dps.enrollment.Enrollments;
import dev.imprint.dps.enrollment.ReprovisionPolicy;
import dev.imprint.store.DeviceRecord;
import dev.imprint.store.DeviceRegistry;
import dev.imprint.store.HubRecord;
import dev.imprint.store.HubStore;
import dev.imprint.store.RegistrationEvent;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One registration, in a fixed order: attestation (five steps, ID check), overall rate limit,
 * per-device rate limit, enrollment, device state, allocation or reprovisioning, operational
 * certificate, durable record (device + history + the operation the device polls, in one
 * transaction: any provisioning node on the same store answers the polls).
 * Every refusal of a device whose chain reached a configured anchor is recorded in the history
 * with its reason code; an unauthenticated caller writes nothing. Blocking: call off event loops.
 */
public final class Registrar {
    private static final Logger LOG = LoggerFactory.getLogger(Registrar.class);

    private final Attestation attestation;
    private final Enrollments enrollments;
    private final Allocators allocators;
    private final DeviceRegistry registry;
    private final HubStore hubs;
    private final OperationalIssuer issuer;
    private final RateLimiter limits;
    private final Operations operations;
    private final Clock clock;
    private volatile java.util.function.Consumer<String> deviceMoved = id -> { };

    /** Told the ID of a device whose re-registration moved it to another hub, after the commit (its old session must end). */
    public void onDeviceMoved(java.util.function.Consumer<String> listener) {
        this.deviceMoved = listener;
    }

    public Registrar(Attestation attestation, Enrollments enrollments, Allocators allocators, DeviceRegistry registry,
            HubStore hubs, OperationalIssuer issuer, RateLimiter limits, Operations operations, Clock clock) {
        this.attestation = attestation;
        this.enrollments = enrollments;
        this.allocators = allocators;
        this.registry = registry;
        this.hubs = hubs;
        this.issuer = issuer;
        this.limits = limits;
        this.operations = operations;
        this.clock = clock;
    }

    /**
     * Registers a device. Outcomes the device polls (assigned, failed, disabled) come back as an
     * {@link Operation}; refusals before there is an operation throw.
     *
     * @throws DpsException CLIENT_CERT_REQUIRED, a validator reason code, REGISTRATION_ID_MISMATCH
     *     (401), RATE_LIMITED (429, Retry-After), NO_ENROLLMENT (401), BAD_REQUEST (400)
     */
    public Operation register(RegistrationRequest req) {
        Attestation.Attested device;
        try {
            device = attestation.attest(req.peerChain(), req.registrationId());
        } catch (Attestation.Refused e) {
            if (e.attributedTo() != null) {
                refused(e.attributedTo(), req.peerChain().get(0), e.reason(), e.getMessage());
            } else {
                // an unauthenticated caller writes nothing to the store, and its chosen ID is not logged either
                LOG.info("event=dps.refused.unauthenticated reason={}", e.reason());
            }
            throw e;
        }
        String id = device.registrationId();
        if (req.bodyRegistrationId() != null && !req.bodyRegistrationId().equals(id)) {
            refused(id, device.leaf(), DpsReason.REGISTRATION_ID_MISMATCH.name(), "body registrationId differs from the URL's");
            throw new DpsException(DpsReason.REGISTRATION_ID_MISMATCH, "the body's registrationId '" + req.bodyRegistrationId()
                    + "' differs from '" + id + "'");
        }
        // the service-wide budget is charged only for attested devices: strangers cannot spend the fleet's
        int wait = limits.overall();
        if (wait > 0) {
            throw new DpsException(DpsReason.RATE_LIMITED.name(), 429, "over the overall registration rate", wait);
        }
        wait = limits.device(id);
        if (wait > 0) {
            refused(id, device.leaf(), DpsReason.RATE_LIMITED.name(), "over the per-device rate");
            throw new DpsException(DpsReason.RATE_LIMITED.name(), 429, "device " + id + " registers too often", wait);
        }
        Enrollment enrollment = enrollments.match(id, device.path()).orElse(null);
        if (enrollment == null) {
            refused(id, device.leaf(), DpsReason.NO_ENROLLMENT.name(), "no enrollment covers this device");
            throw new DpsException(DpsReason.NO_ENROLLMENT, "no enrollment covers device " + id + " (its CA, ID or pattern)");
        }
        if (!enrollment.enabled()) {
            return finish(ended(id, "disabled", DpsReason.ENROLLMENT_DISABLED, "enrollment " + enrollment.name() + " is disabled"),
                    enrollment, device.leaf());
        }
        Optional<DeviceRecord> existing = registry.find(id);
        if (existing.isPresent() && !existing.get().enabled()) {
            return finish(ended(id, "disabled", DpsReason.DEVICE_DISABLED, "device " + id + " is disabled"), enrollment, device.leaf());
        }
        return assign(id, device, enrollment, existing.orElse(null), req);
    }

    private Operation assign(String id, Attestation.Attested device, Enrollment enrollment, DeviceRecord existing,
            RegistrationRequest req) {
        List<HubRecord> candidates = candidates(enrollment);
        if (candidates.isEmpty()) {
            return finish(ended(id, "failed", DpsReason.NO_HUB, "none of the enrollment's hubs exists"), enrollment, device.leaf());
        }
        Allocation allocation;
        HubRecord kept = existing == null ? null
                : candidates.stream().filter(h -> h.name().equals(existing.hub())).findFirst().orElse(null);
        if (kept != null && enrollment.reprovision() == ReprovisionPolicy.NEVER) {
            allocation = Allocation.to(kept);
        } else {
            try {
                allocation = allocators.forEnrollment(enrollment)
                        .allocate(new AllocationRequest(id, enrollment, candidates, req.payload(), device.leaf()));
            } catch (IllegalArgumentException e) {
                allocation = Allocation.refused(DpsReason.NO_HUB.name(), "allocation settings: " + e.getMessage());
            }
        }
        if (allocation instanceof Allocation.Refused r) {
            return finish(ended(id, "failed", DpsReason.valueOf(r.reason()), r.message()), enrollment, device.leaf());
        }
        Allocation.Assigned a = (Allocation.Assigned) allocation;
        List<String> issued = List.of();
        if (req.csrDer() != null) {
            try {
                issued = base64(issuer == null ? unavailable() : issuer.issue(device.leaf(), req.csrDer()));
            } catch (OperationalIssuer.IssuanceRefused e) {
                return finish(ended(id, "failed", DpsReason.CSR_REFUSED, e.code() + ": " + e.getMessage()), enrollment, device.leaf());
            }
        }
        Instant now = clock.instant();
        DeviceRecord record = state(id, enrollment, existing, a, device.leaf(), now);
        RegistrationEvent event = new RegistrationEvent(0, id, now, "assigned", record.substatus(), a.hub().name(),
                enrollment.name(), serial(device.leaf()), null, null);
        // the operation shows the record as stored (etag, first registration): built from it inside the transaction
        String opId = UUID.randomUUID().toString();
        List<String> chain = issued;
        Function<DeviceRecord, Operation> assigned = s -> new Operation(opId, id, "assigned", a.hub().hostname(), id,
                s.substatus(), 0, null, null, a.payload(), chain, s.etag(), s.createdAt(), s.updatedAt());
        DeviceRecord saved = registry.save(record, event, s -> operations.record(assigned.apply(s)));
        registrations("assigned", "OK");
        if (existing != null && !existing.hub().equals(saved.hub())) {
            deviceMoved.accept(id);
        }
        Operation op = assigned.apply(saved);
        LOG.debug("event=dps.assigned registrationId={} hub={} substatus={}", LogSafe.token(id), a.hub().name(), saved.substatus());
        return op;
    }

    /** The device's new record: initial state for a new device, migrated or reset for a known one. */
    private static DeviceRecord state(String id, Enrollment e, DeviceRecord existing, Allocation.Assigned a, X509Certificate leaf,
            Instant now) {
        ObjectNode initialTags = a.tags() != null ? a.tags() : e.tags();
        ObjectNode initialDesired = a.desired() != null ? a.desired() : e.desired();
        String tags = initialTags.toString();
        String desired = initialDesired.toString();
        String substatus = "initialAssignment";
        if (existing != null) {
            boolean moved = !existing.hub().equals(a.hub().name());
            switch (e.reprovision()) {
                case NEVER -> {
                    tags = existing.tagsJson();
                    desired = existing.desiredJson();
                    substatus = existing.substatus();
                }
                case REPROVISION_AND_MIGRATE -> {
                    tags = existing.tagsJson();
                    desired = existing.desiredJson();
                    substatus = moved ? "deviceDataMigrated" : "reprovisionedToInitialAssignment";
                }
                case REPROVISION_AND_RESET -> substatus = moved ? "deviceDataReset" : "reprovisionedToInitialAssignment";
            }
        }
        return new DeviceRecord(id, a.hub().name(), true, e.name(), tags, desired, "assigned", substatus, serial(leaf), 0,
                existing == null ? now : existing.createdAt(), now);
    }

    private List<HubRecord> candidates(Enrollment e) {
        List<HubRecord> all = hubs.list();
        if (e.hubs().isEmpty()) {
            return all;
        }
        List<HubRecord> out = new ArrayList<>();
        for (HubRecord h : all) {
            if (e.hubs().contains(h.name())) {
                out.add(h);
            }
        }
        return out;
    }

    private record Ended(String id, String status, DpsReason reason, String message) {}

    private static Ended ended(String id, String status, DpsReason reason, String message) {
        return new Ended(id, status, reason, message);
    }

    private Operation finish(Ended end, Enrollment e, X509Certificate leaf) {
        // the store keeps milliseconds: the device sees the same times from every node and every poll
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Operation op = new Operation(UUID.randomUUID().toString(), end.id, end.status, null, null, null,
                end.reason.errorCode(), end.reason.name(), end.reason.name() + ": " + end.message, null, List.of(), null, now, now);
        registry.recordEvent(new RegistrationEvent(0, end.id, now, end.status, null, null, e.name(), serial(leaf),
                end.reason.name(), end.message), operations.record(op));
        LOG.info("event=dps.refused registrationId={} status={} reason={} msg=\"{}\"", LogSafe.token(end.id), end.status, end.reason, LogSafe.of(end.message));
        registrations(end.status, end.reason.name());
        return op;
    }

    /** {@code imprint_dps_registrations_total{status,reason}} in the global registry, like the rest of the DPS's meters. */
    private static void registrations(String status, String reason) {
        // looked up once per outcome: the registry's lookup sorts and hashes the tags on every call
        REGISTRATIONS.computeIfAbsent(status + ' ' + reason, k -> io.micrometer.core.instrument.Metrics.counter(
                "imprint.dps.registrations", "status", status, "reason", reason)).increment();
    }

    /** The outcome counters by "status reason": a few dozen at most (reason codes are an enum). */
    private static final java.util.concurrent.ConcurrentMap<String, io.micrometer.core.instrument.Counter> REGISTRATIONS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private void refused(String id, X509Certificate leaf, String reason, String message) {
        LOG.info("event=dps.refused registrationId={} reason={} msg=\"{}\"", LogSafe.token(id), reason, LogSafe.of(message));
        registrations("failed", reason);
        try {
            registry.recordEvent(new RegistrationEvent(0, id == null ? "?" : id, clock.instant(), "failed", null, null, null,
                    leaf == null ? null : serial(leaf), reason, message));
        } catch (RuntimeException e) {
            LOG.warn("event=dps.history.failed registrationId={} msg=\"{}\"", LogSafe.token(id), LogSafe.of(e));
        }
    }

    /**
     * The operation a device polls; the poller must be the device (same attestation as register).
     *
     * @throws DpsException OPERATION_NOT_FOUND, or an attestation refusal
     */
    public Operation status(String registrationId, String operationId, List<X509Certificate> peerChain) {
        attestation.attest(peerChain, registrationId);
        return operations.find(operationId, registrationId)
                .orElseThrow(() -> new DpsException(DpsReason.OPERATION_NOT_FOUND, "no operation " + operationId + " for " + registrationId));
    }

    public Attestation attestation() {
        return attestation;
    }

    private static List<X509Certificate> unavailable() {
        throw new OperationalIssuer.IssuanceRefused("CA_UNAVAILABLE", "this provisioning service issues no operational certificates");
    }

    private static List<String> base64(List<X509Certificate> chain) {
        List<String> out = new ArrayList<>();
        for (X509Certificate c : chain) {
            try {
                out.add(Base64.getEncoder().encodeToString(c.getEncoded()));
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    static String serial(X509Certificate c) {
        return c == null ? null : c.getSerialNumber().toString(16);
    }
}
