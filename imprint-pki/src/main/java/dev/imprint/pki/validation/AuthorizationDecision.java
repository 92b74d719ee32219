package dev.imprint.pki.validation;

import java.util.Objects;

/** The outcome of an {@link Authorizer}: granted, or denied with a reason safe to log. */
public sealed interface AuthorizationDecision {

    static AuthorizationDecision granted() {
        return Granted.INSTANCE;
    }

    static AuthorizationDecision denied(String detail) {
        return new Denied(detail);
    }

    enum Granted implements AuthorizationDecision { INSTANCE }

    record Denied(String detail) implements AuthorizationDecision {
        public Denied {
            Objects.requireNonNull(detail, "detail");
        }
    }
}
