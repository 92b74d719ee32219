package dev.imprint.pki.validation;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Step 5: decides whether an authenticated identity may do what it asks. Supplied by the
 * caller (enrollment lookup in DPS, device registry in the hub, station list in the CA).
 *
 * <p>Called only after steps 1-4 passed. A {@link AuthorizationDecision.Denied} becomes a
 * {@link ReasonCode#NOT_AUTHORIZED} refusal carrying the hook's detail; an exception thrown by
 * the hook is treated as a denial (fail closed) with {@link ReasonCode#INTERNAL_ERROR}.
 */
@FunctionalInterface
public interface Authorizer {

    /** Grants everything: for callers that authorize later themselves (say so where used). */
    Authorizer ALLOW_ALL = (identity, path) -> AuthorizationDecision.granted();

    /**
     * @param identity the identity found in step 4, never null
     * @param path the built path, leaf first and trust anchor last
     */
    AuthorizationDecision authorize(String identity, List<X509Certificate> path);
}
