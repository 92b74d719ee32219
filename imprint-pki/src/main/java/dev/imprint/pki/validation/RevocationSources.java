package dev.imprint.pki.validation;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/** Compositions of {@link RevocationSource}s, e.g. OCSP first with CRL fallback, or both required. */
public final class RevocationSources {
    private RevocationSources() {}

    /**
     * Asks the sources in order and returns the first definite answer (good or revoked). When all
     * are unknown the first source's unknown status is returned: fail closed with its reason code
     * (OCSP_UNAVAILABLE for {@code firstKnown(ocsp, crls)}).
     */
    public static RevocationSource firstKnown(RevocationSource... sources) {
        List<RevocationSource> list = List.of(sources);
        if (list.isEmpty()) {
            throw new IllegalArgumentException("at least one source");
        }
        return new RevocationSource() {
            @Override
            public RevocationStatus status(X509Certificate cert, X509Certificate issuer, Instant at) {
                return status(cert, issuer, at, CrlSigners.NONE);
            }

            @Override
            public RevocationStatus status(X509Certificate cert, X509Certificate issuer, Instant at, CrlSigners signers) {
                RevocationStatus first = null;
                for (RevocationSource s : list) {
                    RevocationStatus r = ask(s, cert, issuer, at, signers);
                    if (!(r instanceof RevocationStatus.Unknown)) {
                        return r;
                    }
                    first = first == null ? r : first;
                }
                return first;
            }
        };
    }

    /** Every source must answer good; any revoked is revoked, otherwise any unknown is unknown. */
    public static RevocationSource all(RevocationSource... sources) {
        List<RevocationSource> list = List.of(sources);
        return new RevocationSource() {
            @Override
            public RevocationStatus status(X509Certificate cert, X509Certificate issuer, Instant at) {
                return status(cert, issuer, at, CrlSigners.NONE);
            }

            @Override
            public RevocationStatus status(X509Certificate cert, X509Certificate issuer, Instant at, CrlSigners signers) {
                RevocationStatus unknown = null;
                for (RevocationSource s : list) {
                    RevocationStatus r = ask(s, cert, issuer, at, signers);
                    if (r instanceof RevocationStatus.Revoked) {
                        return r;
                    }
                    if (r instanceof RevocationStatus.Unknown && unknown == null) {
                        unknown = r;
                    }
                }
                return unknown != null ? unknown : RevocationStatus.good();
            }
        };
    }

    private static RevocationStatus ask(RevocationSource s, X509Certificate cert, X509Certificate issuer, Instant at,
                                        CrlSigners signers) {
        try {
            RevocationStatus r = s.status(cert, issuer, at, signers);
            return r != null ? r : RevocationStatus.unknown(ReasonCode.INTERNAL_ERROR, "revocation source returned null");
        } catch (RuntimeException e) {
            return RevocationStatus.unknown(ReasonCode.CRL_UNAVAILABLE, "revocation source failed: " + e);
        }
    }
}
