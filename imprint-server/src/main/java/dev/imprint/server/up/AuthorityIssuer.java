package dev.imprint.server.up;

import dev.imprint.ca.Authority;
import dev.imprint.ca.CaException;
import dev.imprint.ca.IssuanceRequest;
import dev.imprint.ca.IssuedCertificate;
import dev.imprint.dps.registration.OperationalIssuer;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Operational certificates through the CA: a re-enrollment with the device's validated
 * certificate, so the CA's own rules apply (same identity, current certificate not revoked,
 * issued by the operational CA with its short validity).
 */
public final class AuthorityIssuer implements OperationalIssuer {
    private final Authority authority;

    public AuthorityIssuer(Authority authority) {
        this.authority = authority;
    }

    @Override
    public List<X509Certificate> issue(X509Certificate current, byte[] csrDer) {
        try {
            IssuedCertificate c = authority.issue(IssuanceRequest.reenroll(current, csrDer));
            List<X509Certificate> out = new ArrayList<>();
            out.add(c.certificate());
            out.addAll(c.chain());
            return out;
        } catch (CaException e) {
            throw new IssuanceRefused(e.code(), e.getMessage());
        }
    }
}
