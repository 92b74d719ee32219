package dev.imprint.hub;

import dev.imprint.cluster.ExpiringCache;
import dev.imprint.mqtt.ConnectOutcome;
import dev.imprint.mqtt.MqttConnection;
import dev.imprint.mqtt.TopicPolicy;
import dev.imprint.pki.LogSafe;
import dev.imprint.pki.validation.Verdict;
import dev.imprint.shadow.Shadows;
import dev.imprint.store.DeviceRecord;
import dev.imprint.store.EnrollmentRecord;
import dev.imprint.store.EnrollmentStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AWS IoT Core dialect. Like AWS's one endpoint it serves every registered device, whichever
 * hub DPS assigned it to (disabled devices and enrollments are still refused), and provisioning
 * as well as data. The CONNECT's username is the SDK's metrics string
 * ({@code ?SDK=JavaV2&Version=...}), never a credential: ignored. The client ID must be the thing
 * name, which is the certificate's identity.
 *
 * <p>Just-in-time provisioning: a device the registry does not know, whose certificate the
 * provisioning service attests (a factory certificate of a CA an enrollment covers), is
 * registered through that enrollment during its first CONNECT, which is then accepted (AWS drops
 * it). The parameters are AWS's JITP ones, from the certificate's subject.
 */
final class AwsDialect implements HubDialect {
    private static final Logger LOG = LoggerFactory.getLogger(AwsDialect.class);
    private static final com.fasterxml.jackson.databind.ObjectMapper POLICY = new com.fasterxml.jackson.databind.ObjectMapper();
    /** How long an enrollment's policy is kept: an edited one applies to connections from this long after the edit. */
    static final Duration POLICY_LIFETIME = Duration.ofSeconds(1);
    /** Enrollments whose policies are kept at most: a fleet has a few; more are read on every connection. */
    static final int POLICIES_KEPT = 1_024;
    private final Shadows shadows;
    private final ThingProvisioner provisioner;
    private final FleetProvisioning fleet;
    /** Enrollment name to its policy: a reconnect storm reads each enrollment once a lifetime, not once a CONNECT. */
    private final ExpiringCache<String, TopicPolicy> policies;

    AwsDialect(Shadows shadows, ThingProvisioner provisioner, boolean serverKeys, byte[] tokenKey) {
        this(shadows, provisioner, serverKeys, tokenKey, System::nanoTime);
    }

    /** @param nanoTime the policies' clock: {@link System#nanoTime} but in tests */
    AwsDialect(Shadows shadows, ThingProvisioner provisioner, boolean serverKeys, byte[] tokenKey, LongSupplier nanoTime) {
        this.shadows = Objects.requireNonNull(shadows, "shadows");
        this.provisioner = provisioner;
        this.fleet = new FleetProvisioning(provisioner, serverKeys, Clock.systemUTC(), tokenKey);
        this.policies = new ExpiringCache<>(POLICY_LIFETIME, POLICIES_KEPT, nanoTime);
    }

    @Override
    public ConnectOutcome refuseConnect(Verdict verdict, String clientId, String username) {
        return DeviceAccess.refuseConnect(verdict, clientId, null);
    }

    @Override
    public String registryRefusal(DeviceRecord d, String hubName, BooleanSupplier enrollmentEnabled) {
        return DeviceAccess.registryRefusal(d, d.hub(), enrollmentEnabled);
    }

    @Override
    public String registerUnknown(List<X509Certificate> path) {
        if (provisioner == null) {
            return "NOT_REGISTERED";
        }
        try {
            ThingProvisioner.Registered r = provisioner.register(path, null, jitpParameters(path.get(0)));
            LOG.info("event=aws.jitp device={}", LogSafe.token(r.thingName()));
            return null;
        } catch (ThingProvisioner.Refused e) {
            LOG.info("event=aws.jitp_refused reason={} msg=\"{}\"", e.code(), LogSafe.of(e.getMessage()));
            return e.code();
        }
    }

    /** AWS's JITP parameters: the subject's attributes as {@code AWS::IoT::Certificate::<Name>}, and the certificate's ID. */
    static Map<String, String> jitpParameters(X509Certificate leaf) {
        Map<String, String> p = new LinkedHashMap<>();
        Map<String, String> names = Map.of("CN", "CommonName", "C", "Country", "O", "Organization", "OU", "OrganizationalUnit",
                "ST", "StateName", "SERIALNUMBER", "SerialNumber", "DNQ", "DistinguishedNameQualifier");
        try {
            for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
                String name = names.get(rdn.getType().toUpperCase(java.util.Locale.ROOT));
                if (name != null) {
                    p.put("AWS::IoT::Certificate::" + name, String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException e) {
            // a subject the JDK printed cannot be unparseable; without it the parameters are the ID alone
        }
        p.put("AWS::IoT::Certificate::Id", FleetProvisioning.certificateId(leaf));
        return p;
    }

    @Override
    public DeviceSession session(Hub hub, String deviceId, String serial, String enrollment, Instant notAfter, MqttConnection conn,
            List<X509Certificate> path) {
        return new AwsSession(hub, deviceId, serial, enrollment, notAfter, conn, shadows, fleet, path,
                policy(hub.store().enrollments(), hub.name(), enrollment));
    }

    /**
     * The device's enrollment's extra topics as the device connects: read from the store at most
     * once per {@link #POLICY_LIFETIME} (an edited policy applies from a device's next connection
     * within that time; a live session keeps the one it was admitted with). One the hub cannot read
     * was refused when saved, so never should be: the default policy alone, logged.
     */
    TopicPolicy policy(EnrollmentStore enrollments, String hubName, String enrollment) {
        return enrollment == null ? TopicPolicy.NONE : policies.get(enrollment, name -> read(enrollments, hubName, name));
    }

    private static TopicPolicy read(EnrollmentStore enrollments, String hubName, String enrollment) {
        String json = enrollments.find(enrollment).map(EnrollmentRecord::awsPolicyJson).orElse(null);
        if (json == null) {
            return TopicPolicy.NONE;
        }
        try {
            return POLICY.readValue(json, TopicPolicy.class);
        } catch (java.io.IOException e) {
            LOG.warn("event=aws.policy_unreadable hub={} enrollment={} reason=BAD_POLICY msg=\"{}\"", hubName, LogSafe.of(enrollment),
                    LogSafe.of(e.getMessage()));
            return TopicPolicy.NONE;
        }
    }
}
