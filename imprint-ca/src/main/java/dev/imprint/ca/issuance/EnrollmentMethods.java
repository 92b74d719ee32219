package dev.imprint.ca.issuance;

import dev.imprint.ca.CaException;
import dev.imprint.ca.CaException.Reason;
import dev.imprint.ca.IssuanceRequest.Method;
import dev.imprint.ca.hierarchy.CaHierarchy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The rules each enrollment method brings (smallstep's {@code AuthorizeSign}): a station
 * enrolls new devices from the manufacturing CA within its pattern, rate and quota; a device
 * re-enrolls from the operational CA keeping its identity; an admin issues from a named CA.
 */
public final class EnrollmentMethods {
    private static final List<IssuanceRule> CSR_CHECKS = List.of(
            new IssuanceRule.KeyAccepted(), new IssuanceRule.CsrSignature(),
            new IssuanceRule.DeviceNamesOnly(), new IssuanceRule.NoCaRights());

    private final Function<String, Duration> validityOfCa;

    /** @param validityOfCa device certificate lifetime per issuing CA */
    public EnrollmentMethods(Function<String, Duration> validityOfCa) {
        this.validityOfCa = validityOfCa;
    }

    /** @throws CaException AUTH_REFUSED when the caller's certificate carries no device identity */
    public List<IssuanceRule> rulesFor(Method method) {
        List<IssuanceRule> rules = new ArrayList<>(CSR_CHECKS);
        if (method instanceof Method.Station s) {
            rules.add(new IssuanceRule.DeviceProfile(CaHierarchy.MANUFACTURING, validityOfCa.apply(CaHierarchy.MANUFACTURING)));
            rules.add(new IssuanceRule.ClampToIssuer());
            rules.add(new IssuanceRule.StationActive(s.name()));
            rules.add(new IssuanceRule.StationIdPattern(s.name()));
            rules.add(new IssuanceRule.NoLiveCertificate());
            rules.add(new IssuanceRule.StationRate(s.name()));
            rules.add(new IssuanceRule.StationQuota(s.name()));
        } else if (method instanceof Method.Reenroll r) {
            String id = DeviceIds.fromCertificate(r.current())
                    .orElseThrow(() -> new CaException(Reason.AUTH_REFUSED, "the current certificate carries no device ID"));
            rules.add(new IssuanceRule.DeviceProfile(CaHierarchy.OPERATIONAL, validityOfCa.apply(CaHierarchy.OPERATIONAL)));
            rules.add(new IssuanceRule.ClampToIssuer());
            rules.add(new IssuanceRule.SameIdentity(id));
            rules.add(new IssuanceRule.CurrentNotRevoked(Serials.hex(r.current().getSerialNumber())));
        } else if (method instanceof Method.Admin a) {
            if (!CaHierarchy.MANUFACTURING.equals(a.ca()) && !CaHierarchy.OPERATIONAL.equals(a.ca())) {
                // the service CA issues only Imprint's own credentials, never device certificates
                throw new CaException(Reason.UNKNOWN_CA, "device certificates come from manufacturing or operational, not " + a.ca());
            }
            rules.add(new IssuanceRule.DeviceProfile(a.ca(), validityOfCa.apply(a.ca())));
            rules.add(new IssuanceRule.ClampToIssuer());
            rules.add(new IssuanceRule.NoLiveCertificate());
        } else {
            throw new CaException(Reason.INTERNAL_ERROR, "unknown enrollment method " + method);
        }
        return rules;
    }

    /** Who asked, as recorded with the certificate. */
    public static String requestedBy(Method method) {
        if (method instanceof Method.Station s) {
            return "station:" + s.name();
        }
        if (method instanceof Method.Reenroll r) {
            return "reenroll:" + Serials.hex(r.current().getSerialNumber());
        }
        if (method instanceof Method.Admin a) {
            return a.actor();
        }
        return "unknown";
    }
}
