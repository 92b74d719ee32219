package dev.imprint.hub;

import dev.imprint.mqtt.ConnectOutcome;
import dev.imprint.mqtt.MqttConnection;
import dev.imprint.mqtt.TopicPolicy;
import dev.imprint.pki.LogSafe;
import dev.imprint.pki.validation.Verdict;
import dev.imprint.shadow.Shadows;
import dev.imprint.store.DeviceRecord;
import dev.imprint.store.EnrollmentRecord;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
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
    private final Shadows shadows;
    private final ThingProvisioner provisioner;
    private final FleetProvisioning fleet;

    AwsDialect(Shadows shadows, ThingProvisioner provisioner, boolean serverKeys, byte[] tokenKey) {
        this.shadows = Objects.requireNonNull(shadows, "shadows");
        this.provisioner = provisioner;
        this.fleet = new FleetProvisioning(provisioner, serverKeys, Clock.systemUTC(), tokenKey);
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
        return new AwsSession(hub, deviceId, serial, enrollment, notAfter, conn, shadows, fleet, path, policy(hub, deviceId, enrollment));
    }

    /**
     * The device's enrollment's extra topics, read at admission (a changed policy applies from the
     * next connection). One the hub cannot read was refused when saved, so never should be: the
     * default policy alone, logged.
     */
    private static TopicPolicy policy(Hub hub, String deviceId, String enrollment) {
        String json = enrollment == null ? null : hub.store().enrollments().find(enrollment).map(EnrollmentRecord::awsPolicyJson).orElse(null);
        if (json == null) {
            return TopicPolicy.NONE;
        }
        try {
            return POLICY.readValue(json, TopicPolicy.class);
        } catch (java.io.IOException e) {
            LOG.warn("event=aws.policy_unreadable hub={} device={} enrollment={} reason=BAD_POLICY msg=\"{}\"", hub.name(), deviceId,
                    LogSafe.of(enrollment), LogSafe.of(e.getMessage()));
            return TopicPolicy.NONE;
        }
    }
}
